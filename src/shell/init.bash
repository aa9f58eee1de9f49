# broker shell integration for bash. Load it from ~/.bashrc with:
#     eval "$(broker shell-init bash)"
# Loading it twice is harmless, and it works under `set -euo pipefail`.

# `broker use NAME` runs in a child process, which cannot change this shell. So this function
# runs it with BROKER_SHELL set, which makes it print assignments on stdout, and evaluates
# them here. Every other command goes to the binary untouched (stdin, stdout, the terminal).
broker() {
    local __broker_sub='' __broker_skip='' __broker_help='' __broker_arg
    for __broker_arg in "$@"; do
        if [ -n "$__broker_skip" ]; then
            __broker_skip=''
            continue
        fi
        case "$__broker_arg" in
            --) break ;;
            -h | --help | -V | --version) __broker_help=1 ;;
            --config | --profile | --timeout | -p) __broker_skip=1 ;;
            -*) ;;
            *) if [ -z "$__broker_sub" ]; then __broker_sub="$__broker_arg"; fi ;;
        esac
    done
    if [ "$__broker_sub" = use ] && [ -z "$__broker_help" ]; then
        local __broker_out
        __broker_out="$(BROKER_SHELL=bash command broker "$@")" || return
        eval "$__broker_out"
    else
        command broker "$@"
    fi
}

# BEGIN prompt hook
# Re-exports when another process rotated the token. broker compares BROKER_STAMP with one
# stat of the state file and prints nothing when they agree: no decryption, no network. It
# runs as in CI, so it never prompts; it keeps $? for the prompt hooks after it.
__broker_hook() {
    local __broker_status=$?
    if [ -n "${BROKER_STAMP-}" ]; then
        local __broker_out
        if __broker_out="$(CI=true command broker env --if-changed --format sh 2>/dev/null)"; then
            eval "$__broker_out"
        fi
    fi
    return "$__broker_status"
}

if [[ ${PROMPT_COMMAND[*]-} != *__broker_hook* ]]; then
    __broker_prompt_command="${PROMPT_COMMAND:-}"
    PROMPT_COMMAND="__broker_hook;${__broker_prompt_command#;}"
    unset -v __broker_prompt_command
fi
# END prompt hook
