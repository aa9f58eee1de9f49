# Notes a caller adds to an error from below: src/error/note.rs. `$error` is the message so far.

note-from-env = { $error } (from `{ $var }`)
note-in-file = { $error } (in `{ $path }`)
note-hint = { $error }
note-legacy = { $message }
note-legacy-hint = { $error }
    .hint = { $hint }
