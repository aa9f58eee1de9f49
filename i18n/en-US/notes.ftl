# Notes a caller adds to an error from below: src/error/note.rs. `$error` is the message so far.

note-config-key = { $error } (key `{ $key }` in `{ $file }`)
note-from-env = { $error } (from `{ $var }`)
note-in-file = { $error } (in `{ $path }`)
note-hint = { $error }

# group A
note-profile-from = { $error } ({ $source ->
        [environment] from `BROKER_PROFILE`, which the shell integration exports
       *[use-default] the default chosen by `broker use`
    })
note-new-passphrase = { $error }
    .hint = set `BROKER_AGE_PASSPHRASE`, or run `broker init --passphrase` in a terminal

# group C
note-retried = { $error }, after { $attempts } attempts over { $over }
note-codes-are-single-use = { $error } (codes are single-use and live 10 minutes)
note-refresh-token-not-sent = { $error }; the refresh token was not sent
note-new-refresh-token-saved = { $error }; its new refresh token is saved, and the next use refreshes with it
note-maybe-spent = { $error }; the refresh token may have been spent: the next use presents it once more to find out
    .hint = run `broker token { $profile }` to retry
note-recovery-spent = { $error }; { $story }; presented again now, the refresh token turns out already used or no longer valid: most likely Baidu took it then, and its answer (the new token) was lost
    .hint = run `broker login { $profile }`
note-spent-by-copy = { $error }; this state was copied from `{ $from_path }` on `{ $from_host }`, and a refresh token works only once: the state there has probably used it first
    .hint = run `broker login { $profile }`, and keep each netdisk profile's state in one place
note-spent-elsewhere = { $error }; a refresh token works only once, so it was most likely used elsewhere: by a copy of this state on another machine or in another home (or the app was unbound from the account)
    .hint = run `broker login { $profile }`, and keep each netdisk profile's state in one place
note-new-token-lost = { $error }; Baidu has already taken the old refresh token, so the new one is lost
    .hint = fix that, then run `broker login { $profile }`
