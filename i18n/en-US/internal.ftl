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

internal-panic = internal error (a bug in broker){ $line ->
        [0] {""}
       *[other] { " " }at { $file }:{ $line }
    }
    .hint = please report it; nothing stored was changed by the failed step
internal-stdout = cannot write to stdout: { $reason }
internal-unreachable = { $what }
internal-already-reported = {""}

# How a list of facts is joined in this language.
list-separator = {", "}

# The two lines an error is on stderr (src/lib.rs).
line-error = error: { $message }
line-hint = hint: { $hint }

# The commands (src/commands).
internal-cannot-write-completions = cannot write the completions: { $reason }
internal-cannot-render-man-page = cannot render the man page: { $reason }
internal-cannot-create-demo-home = cannot create a temporary home: { $reason }
internal-cannot-run-broker = cannot run broker: { $reason }
internal-cannot-wait-for-broker = { $reason }
internal-demo-no-device-code = the demo's device login never asked for a code
internal-demo-login-failed = the demo's device login failed
internal-demo-step-failed = the demo step `broker { $command }` failed
internal-cannot-watch-signals = cannot watch signals: { $reason }
internal-pid-out-of-range = the child's process id does not fit a pid
internal-cannot-wait-for-command = cannot wait for the command: { $reason }

internal-agent-socket = the agent socket `{ $path }`: { $reason }
internal-agent-answer = the agent's answer makes no sense: { $reason }
