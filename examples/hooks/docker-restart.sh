#!/bin/sh
# broker hook: restart a Docker container that reads its Baidu token at start.
#
# The container reads the token from a sink that broker writes before any hook runs. Mount
# the sink's folder, not the file: the sink is replaced by rename, and a single-file bind mount
# would keep showing the old file.
#
#   docker run -d --name myapp -v /run/myapp/baidu:/run/secrets/baidu:ro myimage
#
#   [[profiles.ai-prod.sinks]]
#   path = "/run/myapp/baidu/token"
#   mode = "0640"                             # readable by the container's group, if it needs it
#
#   [[profiles.ai-prod.hooks]]
#   name = "restart-myapp"
#   on = ["rotate", "login"]
#   run = ["/path/to/examples/hooks/docker-restart.sh"]
#   env = { CONTAINER = "myapp" }
#
# CONTAINER  the container's name or id (required)
# TIMEOUT    seconds docker waits for it to stop before killing it (default: docker's, 10)
# DOCKER_HOST and docker's other variables are inherited from broker's environment.
#
# The token is never passed to docker: the container reads the sink.
set -eu

container=${CONTAINER:?set CONTAINER, the container to restart, in the hook env}
set -- restart
if [ -n "${TIMEOUT:-}" ]; then
  set -- "$@" -t "$TIMEOUT"
fi
set -- "$@" "$container"

if [ "${BROKER_EVENT:-}" = test ]; then
  echo "would run: docker $*"
  exit 0
fi
# docker gets no stdin: the JSON broker sends to this script holds the token.
exec docker "$@" </dev/null
