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

# The commands (src/commands).
usage-no-completions = no completions for `{ $shell }`
usage-profile-not-applicable = `--profile` does not apply to `broker { $command }`
    .hint = leave it out; `broker --help` says which commands act on a profile
usage-two-profiles = two profiles given: `{ $first_is_flag ->
        [true] --profile { $first }
       *[false] { $first }
    }` and `--profile { $second }`
    .hint = give one
usage-no-profile-chosen = no profile chosen
usage-if-changed-needs-shell = `--if-changed` needs `--format sh`, `fish` or `powershell`
usage-github-env-not-set = `--format github` appends to the file named by `GITHUB_ENV`, which is not set
    .hint = run it in a GitHub Actions step, or use `--format dotenv`
usage-nested-exec = already inside `broker exec` for profile `{ $profile }`
    .hint = leave that command first, or pass `--force` to nest
usage-agent-already-running = an agent already answers on `{ $path }`
    .hint = `broker agent stop` ends it, or start this one with another `--socket`
usage-agent-not-running = no agent answers on `{ $path }`
    .hint = start one with `broker agent`

usage-cannot-read-passphrase = cannot read the passphrase: { $reason }
usage-passphrases-differ = the two passphrases differ

usage-login-flags-not-applicable = `--device`, `--code` and `--browser` apply to { $grants } profiles; `{ $profile }` is `{ $grant }`
usage-token-from-terminal = `--with-token` reads the token from stdin, not from a terminal
    .hint = { -token-json }
usage-cannot-read-token = cannot read the token from stdin: { $reason }
usage-bad-imported-token = the token on stdin { $problem ->
        [not-json] is not the expected JSON object
        [unusable-access-token] has an unusable `access_token`
        [no-access-token] has no `access_token`
        [unusable-refresh-token] has an unusable `refresh_token`
       *[no-refresh-token] has no `refresh_token`, without which broker cannot rotate a { $grant } token
    }
    .hint = { -token-json }
-token-json = pipe a JSON object on stdin: {"{"}"access_token": …, "refresh_token": … (netdisk), "expires_in": SECONDS or "expires_at": TIME{"}"}

usage-app-key-empty = `--app-key` is empty
usage-app-key-missing = `--grant { $grant }` needs `--app-key`
usage-not-a-variable-name = `--secret-key-env { $var }` is not a variable name
usage-scope-not-applicable = `--scope` applies only to { $flags } profiles
usage-not-confirmed = profile `{ $profile }` not removed (not confirmed)
    .hint = `--yes` removes without asking

usage-all-and-profile = `--all` and `--profile` exclude each other
usage-some-not-refreshed = some profiles could not be refreshed
    .hint = see the lines above

usage-needs-attention = { $count ->
        [one] profile { $problems } needs attention
       *[other] { $count } profiles need attention: { $problems }
    }
    .hint = { $worst ->
        [unreadable] `broker doctor` checks the identity and the state files
        [rejected] check the AppKey and SecretKey; `broker secret set { $profile }` replaces the SecretKey
        [login] { hint-login }
       *[hook] fix the hook, then re-run it with `broker hooks run { $profile }`
    }

# An item of its list (src/commands/status.rs): a profile, and why in the status table's words.
attention-item = `{ $profile }` ({ $state ->
        [unreadable] its state cannot be read
        [secret-key-rejected] SecretKey rejected
        [credentials-rejected] credentials rejected
        [not-logged-in] not logged in
        [needs-login] needs login
       *[hook-failed] a hook failed
    })

usage-shell-integration-not-loaded = `broker use --shell` needs the shell integration, which is not loaded in this shell
    .hint = add `eval "$(broker shell-init bash)"` (or zsh, fish, powershell) to your shell's startup file
usage-use-without-profiles = `broker use` needs a profile, and there are none
usage-use-needs-name = `broker use` needs a profile name (there is no terminal to pick one on)
    .hint = `broker use NAME`; { hint-profiles }
usage-nothing-picked = no profile picked; nothing changed
usage-not-in-list = `{ $answer }` is not in the list (1-{ $count })

usage-checks-failed = { $failed } of { $total } checks failed: { $checks }
    .hint = each `fail` line says how to fix it; the exit code is that of the first one

usage-emulator = { $message }
    .hint = { $hint }

usage-bad-reference = `{ $reference }` is not a broker reference
    .hint = write `broker://PROFILE/FIELD` (in a template: `{"{{"} broker://PROFILE/FIELD {"}}"}`), FIELD one of access_token, app_key, expires_at, scope, access_key_id, secret_access_key, session_token
usage-field-not-of-grant = profile `{ $profile }` has no `{ $field }`: its grant is `{ $grant }`
    .hint = access_token and app_key fit every profile; expires_at all but api-key; scope all but api-key and sts; access_key_id, secret_access_key and session_token only sts
