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
