#!/usr/bin/env bash
# Set up the ESCC trial explorer on a fresh Debian 12 / Ubuntu 22.04+ machine, idempotently.
#
#   scripts/setup.sh            system packages + .venv with runtime and test dependencies
#   scripts/setup.sh --run      the same, then start the app on http://127.0.0.1:8050
#   scripts/setup.sh --runtime  runtime only (no chromedriver, no test tools): used by the Dockerfile
#   scripts/setup.sh --system-only | --python-only   one half of the work (Docker build stages)
#
# System packages: Chromium (static chart export through kaleido, and browser tests with
# chromium-driver), the fonts that exported charts are drawn with, and tesseract-ocr (the figure
# digitiser reads tick labels and numbers-at-risk tables with it: a development tool, so not in
# the --runtime image). Nothing is downloaded at run time; everything comes from the Debian
# archive and the Python package index.
set -euo pipefail

cd "$(dirname "$0")/.."

run_app=0
runtime_only=0
do_system=1
do_python=1
for arg in "$@"; do
  case "$arg" in
    --run) run_app=1 ;;
    --runtime) runtime_only=1 ;;
    --system-only) do_python=0 ;;
    --python-only) do_system=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

VENV="${ESCC_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

system_packages=(
  ca-certificates
  chromium
  fonts-dejavu-core fonts-liberation2 fonts-noto-core
)
if [ "$runtime_only" -eq 0 ]; then
  system_packages+=(chromium-driver tesseract-ocr)
fi
if [ "$do_python" -eq 1 ] && ! "${PYTHON:-python3}" -c "import ensurepip, venv" >/dev/null 2>&1; then
  system_packages+=(python3 python3-venv python3-pip)
fi

if [ "$do_system" -eq 1 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    missing=()
    for pkg in "${system_packages[@]}"; do
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
      SUDO=""
      if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
          echo "setup.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1
        fi
      fi
      echo "setup.sh: installing system packages: ${missing[*]}"
      $SUDO apt-get update
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    else
      echo "setup.sh: system packages already installed"
    fi
  else
    echo "setup.sh: apt-get not found; install Chromium, chromedriver, DejaVu/Liberation fonts and tesseract-ocr yourself" >&2
  fi
fi

if [ "$do_python" -eq 1 ]; then
  if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    echo "setup.sh: Python 3.11 or newer is required (found $("$PYTHON" --version 2>&1))" >&2
    exit 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  requirements="requirements-dev.txt"
  [ "$runtime_only" -eq 1 ] && requirements="requirements.txt"
  "$VENV/bin/python" -m pip install --no-cache-dir --disable-pip-version-check -q -r "$requirements"
  echo "setup.sh: Python dependencies installed in $VENV from $requirements"
fi

if [ "$run_app" -eq 1 ]; then
  echo "setup.sh: starting the app on http://${ESCC_HOST:-127.0.0.1}:${ESCC_PORT:-8050}"
  exec "$VENV/bin/python" app.py
fi
