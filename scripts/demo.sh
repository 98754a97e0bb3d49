#!/usr/bin/env bash
# The main command of the README: set up .venv, then run the tool on the embedded demo district.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m planning check --profile hefei --demo "$@"
