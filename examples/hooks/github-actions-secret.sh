#!/bin/sh
# broker hook: store the new Baidu token as a GitHub Actions secret with the `gh` CLI.
#
#   [[profiles.ai-prod.hooks]]
#   name = "gh-secret"
#   on = ["rotate", "login"]
#   run = ["/path/to/examples/hooks/github-actions-secret.sh"]
#   env = { REPO = "my-org/my-repo", SECRET_NAME = "BAIDU_ACCESS_TOKEN" }
#
# REPO         OWNER/NAME of the repository (required)
# SECRET_NAME  the secret's name (default: BAIDU_ACCESS_TOKEN)
# ENVIRONMENT  a deployment environment to set it in, instead of the repository
# gh authenticates as usual: `gh auth login` once, or GH_TOKEN in broker's environment (not
# in the config, which is not encrypted).
#
# `gh secret set` reads the value from stdin when `--body` is not given, so the token is in no
# process's argv (`printf` is a shell builtin).
set -eu

repo=${REPO:?set REPO, OWNER/NAME of the repository, in the hook env}
name=${SECRET_NAME:-BAIDU_ACCESS_TOKEN}
set -- --repo "$repo"
if [ -n "${ENVIRONMENT:-}" ]; then
  set -- "$@" --env "$ENVIRONMENT"
fi

if [ "${BROKER_EVENT:-}" = test ]; then
  echo "would set the Actions secret $name in $repo${ENVIRONMENT:+ (environment $ENVIRONMENT)}"
  exit 0
fi
: "${BROKER_ACCESS_TOKEN:?no token in this event (run this hook on rotate or login)}"

printf '%s' "$BROKER_ACCESS_TOKEN" | gh secret set "$name" "$@"
