#!/usr/bin/env bash
# Runs broker's whole test suite on a fresh machine: installs what the tests need (the
# reference `age` tool, curl, the real shells the shell integration is tested in: bash, zsh,
# fish, plus shellcheck and `script` for a pseudo-terminal; libfaketime's `faketime` for the
# clock tests; `redis-server` for the shared store of a fleet), then `cargo test` with the
# `failpoints` feature, which builds the `broker` binary the integration tests run with its
# test-only crash points (the crash matrix,
# tests/cli/crash.rs; docs/rotation.md). Release builds never have that feature.
# Then the interop suite (tests/interop): the real Python clients against `broker emulator`;
# and Chromium, the real browser of the `broker login --browser` test (tests/cli/browser.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in age:age age-keygen:age curl:curl bash:bash zsh:zsh fish:fish shellcheck:shellcheck script:bsdutils faketime:faketime redis-server:redis-server redis-cli:redis-tools python3:python3 chromium:chromium; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
# `python3 -m venv` needs ensurepip, a separate package on Debian.
command -v python3 >/dev/null 2>&1 && ! python3 -c 'import ensurepip' >/dev/null 2>&1 && need+=(python3-venv)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The tests' Python packages, pinned in tests/requirements.txt, in a virtual environment at
# target/venv; pip runs again only when that file changes (the stamp holds its hash).
python_venv() {
  local stamp=target/venv/requirements.sha256 want
  [ -x target/venv/bin/python ] || python3 -m venv target/venv || return 1
  want=$(sha256sum tests/requirements.txt | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    target/venv/bin/pip install -q -r tests/requirements.txt || return 1
    echo "$want" >"$stamp"
  fi
}
if python_venv; then
  export BROKER_TEST_PYTHON="$PWD/target/venv/bin/python"
elif [ -n "${CI:-}" ]; then
  echo "error: cannot install tests/requirements.txt into target/venv (see pip's message above)" >&2
  exit 1
else
  echo "SKIPPING the Python tests: pip could not install tests/requirements.txt (is the package registry reachable?); with CI set this is an error" >&2
fi

cargo test --locked --features failpoints "$@"

# The crash tests that need mount rights (or, for the read-only ones, a user other than root)
# are #[ignore]d with that reason (tests/cli/crash.rs); run them where this machine allows it.
if [ "$#" -eq 0 ]; then
  probe=$(mktemp -d)
  # shellcheck disable=SC2016 # $0 is expanded by the inner sh
  if unshare -m sh -c 'mount -t tmpfs -o size=4k tmpfs "$0"' "$probe" 2>/dev/null; then
    cargo test --locked --features failpoints --test cli crash:: -- --ignored
  elif [ "$(id -u)" -ne 0 ]; then
    cargo test --locked --features failpoints --test cli -- --ignored \
      crash::an_unwritable_state_folder crash::a_read_only_config
  else
    echo "crash tests needing mount rights stay ignored: root without CAP_SYS_ADMIN here" >&2
  fi
  rmdir "$probe"
fi

# The interop suite: baidu-aip, qianfan, bce-python-sdk and bypy against the `broker`
# binary just built (docs/emulator.md, "Real clients").
if [ -n "${BROKER_TEST_PYTHON:-}" ]; then
  BROKER_BIN="$PWD/target/debug/broker" PYTHONDONTWRITEBYTECODE=1 \
    "$BROKER_TEST_PYTHON" -m pytest tests/interop
fi
