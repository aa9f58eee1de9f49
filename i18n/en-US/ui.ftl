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
