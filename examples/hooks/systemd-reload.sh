#!/bin/sh
# broker hook: reload (or restart) a systemd service after its Baidu token changed.
#
# The service reads the token from a sink that broker writes before any hook runs, so this
# script never handles the token at all:
#
#   [[profiles.ai-prod.sinks]]
#   path = "/run/myapp/baidu.env"          # the unit says: EnvironmentFile=/run/myapp/baidu.env
#   format = "env"
#
#   [[profiles.ai-prod.hooks]]
#   name = "reload-myapp"
#   on = ["rotate", "login"]
#   run = ["/path/to/examples/hooks/systemd-reload.sh"]
#   env = { UNIT = "myapp.service", ACTION = "restart" }
#
# UNIT    the unit to act on (required)
# ACTION  what systemctl does: `reload-or-restart` (default; for a service that re-reads its
#         token file on reload) or `restart` (for `EnvironmentFile=`, read only at start)
# SCOPE   `system` (default) or `user` (a `systemctl --user` unit)
#
# On `broker hooks test` (BROKER_EVENT=test) it only says what it would do.
set -eu

unit=${UNIT:?set UNIT, the unit to reload, in the hook env}
action=${ACTION:-reload-or-restart}
case $action in
  reload | restart | reload-or-restart | try-restart | try-reload-or-restart) ;;
  *) echo "ACTION must be a systemctl restart or reload verb, not '$action'" >&2; exit 2 ;;
esac
set -- "$action" -- "$unit"
case ${SCOPE:-system} in
  system) ;;
  user) set -- --user "$@" ;;
  *) echo "SCOPE must be 'system' or 'user'" >&2; exit 2 ;;
esac

if [ "${BROKER_EVENT:-}" = test ]; then
  echo "would run: systemctl $*"
  exit 0
fi
# systemctl gets no stdin: the JSON broker sends to this script holds the token.
exec systemctl "$@" </dev/null
