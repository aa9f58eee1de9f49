#!/bin/sh
# broker hook: put the new Baidu token into a Kubernetes Secret, and optionally restart the
# workload that reads it.
#
#   [[profiles.ai-prod.hooks]]
#   name = "k8s-secret"
#   on = ["rotate", "login"]
#   run = ["/path/to/examples/hooks/kubernetes-secret.sh"]
#   env = { SECRET = "baidu-token", NAMESPACE = "prod", ROLLOUT = "deployment/myapp" }
#
# SECRET     the Secret to create or update (required)
# NAMESPACE  its namespace (default: kubectl's current one)
# KEY        the key inside the Secret (default: access_token)
# ROLLOUT    a workload to `kubectl rollout restart` afterwards, e.g. deployment/myapp
#            (leave it out when the pods read the mounted Secret file, which kubelet updates)
# KUBECONFIG and kubectl's other variables are inherited from broker's environment.
#
# The token goes to kubectl on stdin (`printf` is a shell builtin, so it is in no process's
# argv), and the Secret manifest from one kubectl to the other through a pipe.
set -eu

secret=${SECRET:?set SECRET, the Secret to update, in the hook env}
key=${KEY:-access_token}
set --
if [ -n "${NAMESPACE:-}" ]; then
  set -- --namespace "$NAMESPACE"
fi

if [ "${BROKER_EVENT:-}" = test ]; then
  echo "would update key $key of secret $secret ${NAMESPACE:+in namespace $NAMESPACE }and restart ${ROLLOUT:-nothing}"
  exit 0
fi
: "${BROKER_ACCESS_TOKEN:?no token in this event (run this hook on rotate or login)}"

printf '%s' "$BROKER_ACCESS_TOKEN" |
  kubectl create secret generic "$secret" "$@" --from-file="$key=/dev/stdin" \
    --dry-run=client --output=yaml |
  kubectl apply "$@" --filename=-

if [ -n "${ROLLOUT:-}" ]; then
  kubectl rollout restart "$@" "$ROLLOUT" </dev/null
fi
