# broker shell integration for fish. Load it from ~/.config/fish/config.fish with:
#     broker shell-init fish | source
# Loading it twice is harmless.

# `broker use NAME` runs in a child process, which cannot change this shell. So this function
# runs it with BROKER_SHELL set, which makes it print assignments on stdout, and sources
# them here. Every other command goes to the binary untouched (stdin, stdout, the terminal).
function broker --description 'broker; `broker use NAME` also switches this shell'
    set -l __broker_sub
    set -l __broker_skip 0
    set -l __broker_help 0
    for __broker_arg in $argv
        if test $__broker_skip = 1
            set __broker_skip 0
            continue
        end
        switch $__broker_arg
            case --
                break
            case -h --help -V --version
                set __broker_help 1
            case --config --profile --timeout -p
                set __broker_skip 1
            case '-*'
            case '*'
                if test -z "$__broker_sub"
                    set __broker_sub $__broker_arg
                end
        end
    end
    if test "$__broker_sub" = use; and test $__broker_help = 0
        BROKER_SHELL=fish command broker $argv | source
        return $pipestatus[1]
    else
        command broker $argv
    end
end

# BEGIN prompt hook
# Re-exports when another process rotated the token. broker compares BROKER_STAMP with one
# stat of the state file and prints nothing when they agree: no decryption, no network. It
# runs as in CI, so it never prompts.
function __broker_hook --on-event fish_prompt
    set -q BROKER_STAMP; or return 0
    CI=true command broker env --if-changed --format fish 2>/dev/null | source
end
# END prompt hook
