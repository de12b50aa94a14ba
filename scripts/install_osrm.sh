#!/usr/bin/env bash
# Install the OSRM programs (osrm-extract, osrm-partition, osrm-customize, osrm-routed and the
# car/bicycle/foot Lua profiles) from PyPI's osrm-bindings wheel into tools/osrm (git-ignored).
#
# The wheel is built for CPython 3.12 (abi3), so pip is told to fetch that wheel whatever the
# local Python is (--python-version 3.12 --only-binary=:all: --target). The programs inside
# are ordinary, self-contained x86-64 Linux executables: they need no Python at all.
#
# Usage: scripts/install_osrm.sh          (prints the bin folder on stdout)
# Env:   PYTHON (default python3), OSRM_BINDINGS_VERSION (default below), OSRM_TOOLS_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="${OSRM_BINDINGS_VERSION:-26.10.0}"
TARGET="${OSRM_TOOLS_DIR:-$PWD/tools/osrm}"
BIN="$TARGET/osrm/bin"
PY="${PYTHON:-python3}"

installed_version() {
  [ -x "$BIN/osrm-routed" ] && "$BIN/osrm-routed" --version 2>/dev/null | tr -d 'v' || true
}

if [ "$(installed_version)" != "$VERSION" ]; then
  rm -rf "$TARGET"
  echo "installing osrm-bindings $VERSION into $TARGET" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check --no-deps \
    --target "$TARGET" --python-version 3.12 --only-binary=:all: \
    "osrm-bindings==$VERSION" >&2
fi

for tool in osrm-extract osrm-partition osrm-customize osrm-routed; do
  if ! "$BIN/$tool" --version >/dev/null 2>&1; then
    echo "error: $BIN/$tool does not run on this machine" >&2
    exit 1
  fi
done
echo "$BIN"
