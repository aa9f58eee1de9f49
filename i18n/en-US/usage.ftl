# Usage errors (exit 2): src/error/usage.rs.

usage-bad-arguments = {""}
usage-nul-in-value = the value of `{ $name }` contains a NUL byte, which no environment variable can hold
usage-dotenv-unquotable = the value of `{ $name }` cannot be written in dotenv so that python-dotenv and docker compose read it back as it is: it holds `${"{"}`, or a `$` together with a `\` or a carriage return
    .hint = use `--format json` or `--format sh`, or `broker exec`
usage-unset-meaningless = `--unset` has no meaning for `--format { $format }`
    .hint = use `--format sh`, `fish`, `powershell` or `json`
usage-unknown-shell = `{ $var }={ $value }` names no shell broker knows
    .hint = bash, zsh, fish or powershell; it is set by `broker shell-init`
usage-invalid-profile-name = invalid profile name `{ $name }`
    .hint = a name starts with a letter or digit, then letters, digits, `-`, `_` or `.`; at most 64 characters
