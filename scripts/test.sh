#!/usr/bin/env bash
# Runs broker's whole test suite on a fresh machine: installs what the tests need (the
# reference `age` tool, curl, the real shells the shell integration is tested in: bash, zsh,
# fish, plus shellcheck and `script` for a pseudo-terminal; libfaketime's `faketime` for the
# clock tests), then `cargo test` with the `failpoints` feature, which builds the `broker`
# binary the integration tests run with its test-only crash points (the crash matrix,
# tests/cli/crash.rs; docs/rotation.md). Release builds never have that feature.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in age:age age-keygen:age curl:curl bash:bash zsh:zsh fish:fish shellcheck:shellcheck script:bsdutils faketime:faketime; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo test --locked --features failpoints "$@"
