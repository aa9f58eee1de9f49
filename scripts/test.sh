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
