#!/usr/bin/env bash
# The main command of the README: set up .venv, then start the planning app on the embedded
# demo district at http://localhost:8501 (Ctrl+C stops it). Extra arguments go to streamlit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "Starting the planning app on the demo district: open http://localhost:${PORT:-8501}"
exec .venv/bin/python -m streamlit run app.py --server.headless true \
  --server.port "${PORT:-8501}" "$@"
