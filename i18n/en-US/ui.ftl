# What broker says to a person when nothing failed: progress and result lines, warnings,
# prompts, table headers and verdicts (ids `ui-<command>-…`; facts as variables). Errors,
# notes and hints are in the other files. Data (`--json`, token output) never comes from here.
#
# A line the code shows with leading spaces (a table header under a `*` mark) gets them from
# the code: Fluent drops leading blanks.

## status

ui-status-store = state store: { $backend } at { $location }
ui-status-store-unreachable = state store: { $backend } at { $location } is unreachable ({ $reason }); showing this machine's local copies
ui-status-lease = `{ $profile }`: a rotation holds the lease ({ $holder })
ui-status-copied = { $state } (copied)
ui-status-header-profile = PROFILE
ui-status-header-grant = GRANT
ui-status-header-app-key = APP KEY
ui-status-header-state = STATE
ui-status-header-expires = EXPIRES
ui-status-header-refresh-token-age = REFRESH TOKEN AGE
ui-status-header-last-rotation = LAST ROTATION
ui-status-header-last-hook = LAST HOOK
ui-status-copied-warning = the state of `{ $profile }` was written at { $from }, not here: if it was copied and the copy stays in use, only the first of the two to refresh keeps working

## The state of a profile's token (status table, doctor)

ui-state-ok = ok
ui-state-expired = expired
ui-state-not-logged-in = not logged in
ui-state-api-key = API key (no expiry)
ui-state-no-token-yet = no token yet
ui-state-needs-login = needs login
ui-state-unreadable = unreadable
ui-state-secret-key-rejected = SecretKey rejected
ui-state-credentials-rejected = credentials rejected
ui-state-refresh-under-way = refresh under way
ui-state-refresh-interrupted = refresh interrupted

## profile

ui-profile-add-secret-prompt = SecretKey for `{ $profile }`:
ui-profile-added = added profile `{ $profile }` ({ $grant })
ui-profile-remove-confirm = remove profile `{ $profile }` and its stored tokens? [y/N]
ui-profile-removed = removed profile `{ $profile }` and its stored tokens
ui-profile-removed-still-used = this shell still uses `{ $profile }` through `BROKER_PROFILE` (and its exported variables)
ui-profile-removed-still-used-hint = hint: clear them with `eval "$(broker env --unset)"`, or switch with `broker use NAME`
ui-profile-list-header-name = NAME
ui-profile-list-header-endpoint = ENDPOINT
ui-profile-list-header-description = DESCRIPTION
ui-profile-show-default = { $value } (default)

## Everywhere

ui-warning = warning:
ui-yes = yes
ui-no = no

## current --explain: which rule chose the profile in force

ui-source-argument = chosen by the command line (positional PROFILE or --profile)
ui-source-environment = chosen by `BROKER_PROFILE` in the environment
ui-source-use-default = chosen by `broker use` (the default kept in the state folder)
ui-source-config-default = chosen by `default_profile` in the config
ui-current-store = state in the { $backend } store at { $location } (reachable)
ui-current-store-leased = state in the { $backend } store at { $location } (reachable); lease held by { $holder }
ui-current-store-unreachable = state in the { $backend } store at { $location } (UNREACHABLE)
ui-current-store-unreachable-leased = state in the { $backend } store at { $location } (UNREACHABLE); lease held by { $holder }
ui-current-stale = `BAIDU_ACCESS_TOKEN` in this environment is not the stored token of `{ $profile }` (it was rotated since it was exported)
ui-current-stale-hint = hint: run `broker use { $profile }` (with the shell integration) or `eval "$(broker env { $profile })"` to export the current one
ui-current-other-profile = the `BAIDU_*` variables in this environment were exported for `{ $other }`, not `{ $profile }`
ui-current-unreadable = cannot check the exported token against the stored one: { $reason }

## doctor: the verdict of each check, what to do, the conclusion

ui-doctor-ok = ok
ui-doctor-warn = warn
ui-doctor-fail = fail
ui-doctor-fix = fix:
ui-doctor-all-well = all is well
ui-doctor-all-well-warnings = all is well, with { $count ->
        [one] { $count } warning
       *[other] { $count } warnings
    } (warnings do not fail `broker doctor`)

## Times relative to now (`$unit`: second, minute, hour or day)

ui-time-just-now = just now
ui-time-future = in the future (the clock was set back?)
ui-time-in = in { $unit ->
        [second] { $n ->
            [one] { $n } second
           *[other] { $n } seconds
        }
        [minute] { $n ->
            [one] { $n } minute
           *[other] { $n } minutes
        }
        [hour] { $n ->
            [one] { $n } hour
           *[other] { $n } hours
        }
       *[day] { $n ->
            [one] { $n } day
           *[other] { $n } days
        }
    }
ui-time-ago = { $unit ->
        [second] { $n ->
            [one] { $n } second
           *[other] { $n } seconds
        }
        [minute] { $n ->
            [one] { $n } minute
           *[other] { $n } minutes
        }
        [hour] { $n ->
            [one] { $n } hour
           *[other] { $n } hours
        }
       *[day] { $n ->
            [one] { $n } day
           *[other] { $n } days
        }
    } ago

## login, refresh

ui-login-done = logged in `{ $profile }`; the token expires { $left }
ui-login-imported = imported a token for `{ $profile }`; the token expires { $left }
ui-refresh-rotated = `{ $profile }`: rotated; the token expires { $left }
ui-refresh-rotated-elsewhere = `{ $profile }`: rotated by another process; the token expires { $left }
ui-nothing-to-rotate = `{ $profile }` holds an API key: there is nothing to log in to or rotate (replace it with `broker secret set { $profile }`)
ui-refresh-not-due = `{ $profile }`: not due; the token expires { $left }
ui-refresh-failed = `{ $profile }`: error: { $error }

## init, the passphrase

ui-init-created = created the identity `{ $path }` (keep it safe: it decrypts every secret)
ui-init-passphrase-ignored = an identity already exists ({ $identity }); --passphrase changes nothing
ui-init-recipient-listed = the config `{ $config }` lists this identity's recipient
ui-init-forced = { $error }; going on (--force)
ui-init-forced-hint = hint: run `broker secret set NAME` and `broker login NAME` for each profile whose secret or token was encrypted to the lost identity
ui-init-passphrase-prompt = passphrase for the new identity:
ui-init-passphrase-again = same again:
ui-passphrase-prompt = passphrase for the age identity { $identity }:

## use

ui-use-shell = this shell now uses profile `{ $profile }`
ui-use-shell-and-default = now using profile `{ $profile }` (this shell and the default)
ui-use-default = now using profile `{ $profile }`
ui-use-overridden = `BROKER_PROFILE` is set in this shell and takes precedence over `broker use`
ui-use-overridden-hint = hint: load the shell integration (`eval "$(broker shell-init bash)"`) so that `broker use` switches the shell too
ui-use-pick = profile [1-{ $count }]:

## secret, logout, env, state, exec, man

ui-secret-set-prompt = new SecretKey for `{ $profile }`:
ui-secret-replaced = replaced the SecretKey of `{ $profile }`
ui-secret-encrypted = encrypted { $count ->
        [one] { $count } plaintext secret
       *[other] { $count } plaintext secrets
    } in `{ $config }`
ui-secret-rekeyed = re-encrypted { $secrets ->
        [one] { $secrets } secret
       *[other] { $secrets } secrets
    } and { $states ->
        [one] { $states } state file
       *[other] { $states } state files
    } to { $recipients ->
        [one] { $recipients } recipient
       *[other] { $recipients } recipients
    }
ui-logout-nothing = `{ $profile }` had no stored tokens: nothing to forget
ui-logout-done = forgot the tokens of `{ $profile }`
ui-env-github = exported { $count } variables to `$GITHUB_ENV`
ui-state-exported = exported { $count ->
        [one] { $count } profile
       *[other] { $count } profiles
    }; here they serve their current token until it is due, then stop (handed off)
ui-state-not-marked = the bundle was written but `{ $profile }` could not be marked handed off here: the same lineage now lives in two places, and only the first to refresh keeps working
ui-state-exported-kept = exported { $count ->
        [one] { $count } profile
       *[other] { $count } profiles
    } with `--keep`: the same lineage now lives in two places, and only the first to refresh keeps working
ui-state-imported = imported `{ $profile }` into `{ $location }` (token expires { $expires })
ui-exec-shell = starting { $shell } with profile `{ $profile }`; `exit` leaves it
ui-man-written = wrote the man pages into `{ $dir }`

## The netdisk login: device code, pasted code, browser

ui-login-device = To authorize `{ $profile }`, open { $url } and enter the code { $code }
ui-login-device-or = (or open { $url })
ui-login-device-waiting = waiting for approval… { $left } left
ui-login-code-open = Open this page, approve, and copy the code it shows:
ui-login-code-prompt = code:
ui-login-browser = Opening the authorization page; if no browser opens, visit:

## Files others may change

ui-writable-config = `{ $path }` is { $mode }: group or others can change it, and its hooks run as you
ui-writable-state = `{ $path }` is { $mode }: group or others can change it, and broker trusts what it holds

## hooks and sinks

ui-hooks-hook-ok = hook `{ $hook }`: ok ({ $status })
ui-hooks-sink-ok = sink `{ $sink }`: ok ({ $status })
ui-hooks-hook-failed = hook `{ $hook }` failed on `{ $event }` of `{ $profile }`: { $status }
ui-hooks-sink-failed = sink `{ $sink }` failed on `{ $event }` of `{ $profile }`: { $status }
ui-hooks-output-capped = … more output dropped (a hook's output is capped at { $kib } KiB)
ui-hooks-not-recorded = could not record the hook results of `{ $profile }`: { $error }
ui-hooks-run-nothing = `{ $profile }` has no sinks and no `rotate` hooks
ui-hooks-run-expired = the stored token of `{ $profile }` has expired; the hooks get it all the same (`broker refresh { $profile }` rotates it)
ui-hooks-test-nothing = `{ $profile }` has no hooks, global or its own

## Rotation

ui-login-replaces-unreadable = { $error }; the login replaces the stored tokens of `{ $profile }`
ui-rotate-recovering = `{ $profile }`: { $story }; presenting its refresh token once more to recover
ui-rotate-serving-stored = { $error }; serving the stored token of `{ $profile }`, which is not due (the next rotation tries again)
ui-rotate-copied = the state of `{ $profile }` was written at { $from } and is now read at { $here }: if it was copied and the copy stays in use, the same refresh-token lineage lives in two places, and only the first to refresh keeps working
ui-rotate-copied-lineage = the state of `{ $profile }` (lineage `{ $lineage }`) was written at { $from } and is now read at { $here }: if it was copied and the copy stays in use, the same refresh-token lineage lives in two places, and only the first to refresh keeps working

## watch

ui-watch-all = watching rotations of every profile on `{ $channel }` at { $url }
ui-watch-one = watching rotations of `{ $profile }` on `{ $channel }` at { $url }
ui-watch-failed = `{ $command }` for the rotation of `{ $profile }` failed ({ $how }); watching on
ui-watch-timed-out = `{ $command }` for the rotation of `{ $profile }` ran past { $seconds }s and was ended; watching on

## demo: the narration of the tour

ui-demo-start = broker demo: a temporary home in { $home }, a Baidu emulator at { $url }
ui-demo-init = Create an age identity and a config that encrypts to it.
ui-demo-add = Add three apps. SecretKeys come from stdin (or a hidden prompt), never argv, and are age-encrypted in the config.
ui-demo-tokens = Tokens for apps that need no person: client_credentials, and a bce-auth-v1 signed bearer token.
ui-demo-cached = The second call is served from the encrypted cache, without a request.
ui-demo-device = A Netdisk app needs a person once: the device flow. The demo approves the code through the emulator's admin API.
ui-demo-approved = (emulator: the user approved the device code)
ui-demo-rotate = Rotate it: the single-use refresh token is marked in flight, sent once, and the new pair saved before anything else.
ui-demo-counters = The emulator saw { $requests } requests: { $secret_in_url } with a secret in the URL, { $refresh_reuse } reuses of a refresh token.
ui-demo-state-files-kept = State files are age-encrypted JSON: age -d -i { $identity } { $state }
ui-demo-done-kept = demo done; the home is kept: HOME={ $home } broker status   (remove it with: rm -r { $home })
ui-demo-state-files = State files are age-encrypted JSON that the reference `age -d` reads: run `broker demo --keep` to keep this home and look at them.
ui-demo-done = demo done; the temporary home is removed.

## doctor: what each check found, and how to fix it

ui-doctor-check-failed = the check itself failed
ui-doctor-config-fix = fix the config file, then run `broker doctor` again
ui-doctor-config-missing = no config at `{ $path }`: no profiles
ui-doctor-config-missing-fix = run `broker init`, then `broker profile add`
ui-doctor-config-ok = `{ $path }` parses and validates ({ $count ->
        [one] { $count } profile
       *[other] { $count } profiles
    })
ui-doctor-identity-ok = { $identity } loads ({ $keys })
ui-doctor-identity-passphrase = { $identity } is passphrase-protected and `{ $var }` is not set: doctor does not prompt, so secrets and state were not checked
ui-doctor-identity-passphrase-fix = set `{ $var }` to check them too
ui-doctor-identity-fix = run `broker init`
ui-doctor-recipients-empty = `[store] recipients` in `{ $path }` is empty: nothing can be encrypted
ui-doctor-recipients-empty-fix = run `broker init`, or add your `age1…` public key to `[store] recipients`
ui-doctor-recipients-fix = fix `[store] recipients`
ui-doctor-recipients-parse = { $count ->
        [one] { $count } recipient parse
       *[other] { $count } recipients parse
    }
ui-doctor-recipients-ok = { $count ->
        [one] { $count } recipient
       *[other] { $count } recipients
    }, this identity among them
ui-doctor-recipients-without-me = this identity (`{ $key }`) is not among the { $count } `[store] recipients` of `{ $path }`: what broker encrypts from now on is unreadable by you, and what others encrypted may be too
ui-doctor-recipients-without-me-fix = add `{ $key }` to `[store] recipients`, then run `broker secret rekey` with an identity that can read the current secrets
ui-doctor-mode-open = `{ $path }` is { $mode }: group or others can reach it (want { $want })
ui-doctor-mode-config-writable = `{ $path }` is { $mode }: others can change it, and its hooks run as you
ui-doctor-mode-config-readable = `{ $path }` is { $mode }: others can read the AppKeys and hook commands (secrets are encrypted)
ui-doctor-mode-nothing = no identity, config or state file yet
ui-doctor-mode-ok = the identity, the config and the state are private ({ $count ->
        [one] { $count } file and folder
       *[other] { $count } files and folders
    } checked)
ui-doctor-used-by = { $count ->
        [one] profile
       *[other] profiles
    } { $names }
ui-doctor-endpoint-unreachable = `{ $endpoint }` ({ $used_by }) is unreachable: { $reason }
ui-doctor-endpoint-fix = check the network and any proxy (`HTTPS_PROXY`), or the `endpoint` of { $used_by }
ui-doctor-endpoint-ok = `{ $endpoint }` ({ $used_by }) answers (HTTP { $status } in { $ms } ms)
ui-doctor-clock-no-date = `{ $endpoint }` sent no `Date` header: the clock was not compared
ui-doctor-clock-no-date-fix = compare the clock with a time server by hand
ui-doctor-clock-ahead = the local clock is { $seconds }s ahead of `{ $endpoint }`
ui-doctor-clock-behind = the local clock is { $seconds }s behind `{ $endpoint }`
ui-doctor-clock-fix = synchronise the clock (e.g. `timedatectl set-ntp true`, or chrony/ntpd)
ui-doctor-clock-bce = { $detail }: BCE IAM refuses signatures this far off (they live { $seconds }s)
ui-doctor-clock-ok = the local clock is within { $seconds }s of `{ $endpoint }`
ui-doctor-secret-ok = encrypted in the config; decrypts
ui-doctor-secret-fix = set it again with `broker secret set { $profile }`
ui-doctor-secret-env-ok = from `{ $var }`, which is set
ui-doctor-secret-env-unset = `secret_key_env = "{ $var }"`, but `{ $var }` is not set here
ui-doctor-secret-env-unset-fix = export `{ $var }`, or store the SecretKey with `broker secret set { $profile }`
ui-doctor-secret-plaintext = the SecretKey is plaintext in the config
ui-doctor-secret-plaintext-fix = run `broker secret encrypt`
ui-doctor-secret-missing = no SecretKey (neither `secret_key` nor `secret_key_env`)
ui-doctor-secret-missing-fix = set one with `broker secret set { $profile }`
ui-doctor-store-fix = start Redis or fix `[store] url` / `BROKER_REDIS_URL`
ui-doctor-store-ok = { $backend } at { $location } answers
ui-doctor-store-appendonly = Redis keeps an append-only file (`appendonly yes`)
ui-doctor-store-no-appendonly = Redis has `appendonly no`: a crash loses the last writes, and a lost write of a netdisk state is a lost lineage (`broker login` again)
ui-doctor-store-no-appendonly-fix = set `appendonly yes` (and `appendfsync everysec` or `always`) in redis.conf
ui-doctor-store-appendonly-unknown = cannot read Redis's `appendonly` setting (the ACL user lacks `CONFIG GET`)
ui-doctor-store-appendonly-unknown-fix = check that the server runs with `appendonly yes`
ui-doctor-state-login-fix = run `broker login { $profile }`
ui-doctor-state-not-logged-in = not logged in yet
ui-doctor-state-api-key = an API key: nothing is stored or rotated
ui-doctor-state-no-token = no token yet; one is fetched on first use
ui-doctor-state-refused = Baidu refused the refresh token at { $at }: { $reason }
ui-doctor-state-under-way = a refresh is under way ({ $holder })
ui-doctor-state-under-way-fix = run `broker doctor` again when it is done
ui-doctor-state-interrupted = a refresh was interrupted: { $story }; the next use presents its refresh token once more to recover
ui-doctor-state-interrupted-fix = run `broker token { $profile }` to recover now
ui-doctor-state-expired-refresh = the token expired { $left }; it is renewed with the refresh token on next use
ui-doctor-state-expired-fetch = the token expired { $left }; it is fetched again on next use
ui-doctor-state-expired-fix = run `broker token { $profile }` to renew it now
ui-doctor-state-ok = token valid until { $until } ({ $left }), generation { $generation }

## Waiting for Baidu (a passing note on a terminal)

ui-retrying = retrying… { $attempt }/{ $most }, { $reason }

# clap's usage errors (src/help.rs, `Localized`), in languages other than English only.
ui-clap-unknown-argument = unexpected argument `{ $arg }`
ui-clap-unknown-command = unrecognized command `{ $command }`
ui-clap-invalid-value = invalid value `{ $value }` for `{ $arg }`{ $valid ->
        [none] {""}
       *[other] ; possible values: { $valid }
    }
ui-clap-missing-argument = a required argument is missing: { $arg }
ui-clap-missing-command = a command is required
ui-clap-conflict = `{ $arg }` cannot be used with `{ $other }`
ui-clap-value-count = wrong number of values for `{ $arg }`
ui-clap-did-you-mean = tip: did you mean `{ $near }`?
ui-clap-more = For more information, try `--help`.
ui-clap-error = error: { $message }

# broker agent (src/agent/, src/commands/agent.rs).
ui-agent-needs-login = `{ $profile }` { $why ->
        [no-token] has no token yet and needs `broker login`
       *[person] needs a person (`broker status` says why)
    }
ui-agent-not-rotating = agent: `{ $profile }` { $why ->
        [no-token] has no token yet and needs `broker login`
       *[person] needs a person (`broker status` says why)
    }; not rotating it until that changes
ui-agent-paused = agent: { $error }; `{ $profile }` is paused until { $until }
ui-agent-retry = agent: { $error }; trying `{ $profile }` again in { $after }
ui-agent-cannot-keep-pauses = agent: cannot keep the pauses: { $error }
ui-agent-serving = agent: serving `{ $config }` on `{ $socket }` (pid { $pid })
ui-agent-reloaded = agent: config read again
ui-agent-kept-config = agent: keeping the config it had: { $error }
ui-agent-stopped = agent: stopped
ui-agent-refused-user = agent: refused a connection from another user
ui-agent-after-answer = agent: after the answer was sent: { $error }
ui-agent-stopping = agent on `{ $socket }` stopping
ui-agent-header-profile = PROFILE
ui-agent-header-next = NEXT ROTATION
ui-agent-header-last = LAST ROTATION
ui-agent-header-error = LAST ERROR
ui-inject-watching = rendering `{ $path }` again after each rotation of its { $profiles ->
        [one] profile
       *[other] { $profiles } profiles
    } (Ctrl-C ends)
ui-inject-retry = could not render `{ $path }` again: { $error }; trying again in { $seconds }s
ui-inject-exec-failed = `{ $command }` after rendering `{ $path }` failed ({ $how }); watching on
ui-inject-exec-timed-out = `{ $command }` after rendering `{ $path }` ran past { $seconds }s and was ended; watching on
