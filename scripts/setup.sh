#!/usr/bin/env bash
# Create .venv and install what the tool (and, with --dev, its tests) need, from this
# repository's own files. Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  # System packages for the browser test and Chinese text in figures: Debian's chromium and
  # CJK fonts. Installed when missing and when we are allowed to.
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "note: cannot install ${need[*]} (not root); browser tests will be skipped" >&2
    fi
  fi
else
  .venv/bin/python -m pip install -q -r requirements.txt
fi
