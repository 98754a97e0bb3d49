#!/usr/bin/env bash
# Create .venv and install what the tool (and, with --dev, its tests) need, from this
# repository's own files. Idempotent: re-running only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
dev=0
[ "${1:-}" = "--dev" ] && dev=1

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ $dev = 1 ]; then
  .venv/bin/python -m pip install -q -r requirements-dev.txt
else
  .venv/bin/python -m pip install -q -r requirements.txt
fi

# Debian packages: CJK fonts (Chinese text in PNG/PDF figures), CBC (the alternative MILP
# solver; PuLP's bundled CBC is deprecated) and, for the tests, chromium (browser tests),
# PostgreSQL with PostGIS (the team server's scenario store) and poppler-utils (report text).
# Installed when missing and when we are allowed to (root or sudo).
need=()
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
# a TrueType CJK font that the report PDF can embed (reportlab cannot embed Noto CJK's CFF)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
command -v cbc >/dev/null 2>&1 || need+=(coinor-cbc)
if [ $dev = 1 ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # PostgreSQL with PostGIS: the team server's store, started by scripts/test.sh for its tests
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
  compgen -G "/usr/share/postgresql/*/extension/postgis.control" >/dev/null || need+=(postgis)
  # pdftotext: the tests read the report PDF's text (what a reviewer reads)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo)
  else
    echo "note: cannot install Debian packages ${need[*]} (not root, no sudo); install them" \
         "by hand (apt-get install ${need[*]})" >&2
    exit 0
  fi
  echo "installing Debian packages: ${need[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
