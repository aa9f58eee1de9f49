#!/usr/bin/env bash
# Runs broker's whole test suite on a fresh machine: installs what the tests need (the
# reference `age` tool, curl, the real shells the shell integration is tested in: bash, zsh,
# fish, plus shellcheck and `script` for a pseudo-terminal; libfaketime's `faketime` for the
# clock tests) and a Python venv with tests/requirements.txt, then `cargo test` with the
# `failpoints` feature, which builds the `broker` binary the integration tests run with its
# test-only crash points (the crash matrix, tests/cli/crash.rs; docs/rotation.md). Release
# builds never have that feature.
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

# Python packages some tests read broker's output with (python-dotenv for `--format dotenv`),
# pinned in tests/requirements.txt, in a venv under target/. pip runs only when the list
# changed since the last install (the stamp is a copy of the list that was installed).
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || {
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: python3-venv" >&2
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
}
venv=target/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! cmp -s tests/requirements.txt "$venv/requirements.stamp"; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/requirements.txt
  cp tests/requirements.txt "$venv/requirements.stamp"
fi
export BROKER_TEST_PYTHON="$PWD/$venv/bin/python"

cargo test --locked --features failpoints "$@"
