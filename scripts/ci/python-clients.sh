#!/usr/bin/env bash
# Sets up .venv-clients/, a Python virtual environment holding an official
# Open Inference (KServe V2) client: the HTTP client of Triton's `tritonclient`
# package. test/official-client.test.ts runs test/clients/tritonclient_check.py
# with it against the server.
#
# Idempotent: an existing environment is reused when it was built from the same
# interpreter version and pins; otherwise it is rebuilt from scratch. Prints the
# environment's python path last, e.g.
#   INFERLENS_CLIENTS_PYTHON="$(bash scripts/ci/python-clients.sh | tail -n 1)"
#
# Environment: PYTHON (default python3) builds the environment;
# INFERLENS_CLIENTS_VENV (default .venv-clients, relative to the repository root)
# is where it goes.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PYTHON=${PYTHON:-python3}
VENV=${INFERLENS_CLIENTS_VENV:-.venv-clients}

# The client, and the packages on its HTTP path, pinned so CI is reproducible.
# Update together; `pip index versions tritonclient` lists releases.
PINS=(
  'tritonclient[http]==2.73.0'
  'numpy==2.4.6'
  'geventhttpclient==2.6.1'
  'python-rapidjson==1.25'
)

command -v "$PYTHON" >/dev/null || { echo "python-clients: '$PYTHON' not found; install Python 3.9 or later" >&2; exit 1; }

stamp="$VENV/.inferlens-pins"
wanted="$("$PYTHON" -c 'import sys; print("python", *sys.version_info[:2])')
$(printf '%s\n' "${PINS[@]}")"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] &&
  "$VENV/bin/python" -c 'import tritonclient.http' 2>/dev/null; then
  echo "python-clients: reusing $VENV" >&2
else
  echo "python-clients: creating $VENV with ${PINS[0]}" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" ||
    { echo "python-clients: '$PYTHON -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
    "$VENV/bin/python" -m pip install --quiet --only-binary=:all: "${PINS[@]}"
  "$VENV/bin/python" -c 'import tritonclient.http'
  # Written last: a failed or interrupted install leaves no stamp, so the next run starts over.
  printf '%s\n' "$wanted" >"$stamp"
fi

[[ "$VENV" == /* ]] || VENV="$(pwd)/$VENV"
echo "$VENV/bin/python"
