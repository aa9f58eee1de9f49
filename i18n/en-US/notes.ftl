# Notes a caller adds to an error from below: src/error/note.rs. `$error` is the message so far.

note-config-key = { $error } (key `{ $key }` in `{ $file }`)
note-from-env = { $error } (from `{ $var }`)
note-in-file = { $error } (in `{ $path }`)
note-hint = { $error }
note-legacy = { $message }
note-legacy-hint = { $error }
    .hint = { $hint }

# group A
note-profile-from = { $error } ({ $source ->
        [environment] from `BROKER_PROFILE`, which the shell integration exports
       *[use-default] the default chosen by `broker use`
    })
note-new-passphrase = { $error }
    .hint = set `BROKER_AGE_PASSPHRASE`, or run `broker init --passphrase` in a terminal
