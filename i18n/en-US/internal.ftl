# Internal errors (exit 1): src/error/internal.rs.

internal-io = cannot { $op ->
        [read] read
        [write] write
        [write-into] write into
        [append-to] append to
        [create] create
        [create-folder] create folder
        [create-temp-in] create a temporary file in
        [create-lock-file] create lock file
        [open] open
        [open-lock-file] open lock file
        [inspect] inspect
        [list] list
        [lock] lock
        [remove] remove
        [set-mode] set the mode of
        [sync] sync
        [sync-folder] sync folder
       *[other] use
    } `{ $path }`: { $reason }
    .hint = { $cause ->
        [permission-denied] check the ownership and permissions of that path
        [storage-full] free some disk space and try again
       *[other] {""}
    }

internal-cannot-run = cannot run `{ $command }`: { $cause ->
        [not-found] not found
        [not-executable] permission denied
       *[other] { $reason }
    }
    .hint = { $cause ->
        [not-found] check the command's name and `PATH`
       *[other] {""}
    }

internal-already-reported = {""}

# How a list of facts is joined in this language.
list-separator = {", "}

# TRANSITION ONLY (src/error/legacy.rs).
legacy-text = { $message }
