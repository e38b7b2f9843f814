#!/usr/bin/env bash
# Sets up .venv-clients/, a Python virtual environment holding the official
# clients test/official-client.test.ts drives the server with: the HTTP client
# of Triton's `tritonclient` package (Open Inference / KServe V2, run by
# test/clients/tritonclient_check.py) and the `kserve` SDK's
# InferenceRESTClient (KServe V1 and V2, run by test/clients/kserve_check.py).
# test/codec-client.test.ts runs test/clients/codec_check.py with it too,
# which compares the tensor codecs with tritonclient, numpy and ml_dtypes.
# kserve brings its model server's dependencies too (FastAPI, grpcio, pandas,
# the Kubernetes client): the environment takes about 500 MB.
#
# Idempotent: an existing environment is reused when it was built from the same
# interpreter version, clients and constraints; otherwise it is rebuilt from scratch. Prints the
# environment's python path last, e.g.
#   INFERLENS_CLIENTS_PYTHON="$(bash scripts/ci/python-clients.sh | tail -n 1)"
#
# Environment: PYTHON (default python3, 3.11 to 3.13) builds the environment;
# INFERLENS_CLIENTS_VENV (default .venv-clients, relative to the repository root)
# is where it goes.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PYTHON=${PYTHON:-python3}
VENV=${INFERLENS_CLIENTS_VENV:-.venv-clients}

# The clients. Their versions, and those of every package they pull in (kserve
# alone brings some 60), are fixed in the constraints file, which
# bench/peers/setup.sh reads kserve's version from too.
CLIENTS=('tritonclient[http]' 'kserve')
CONSTRAINTS=scripts/ci/python-clients.constraints.txt
# What the environment must import to be of use.
IMPORTS='import tritonclient.http, kserve'

command -v "$PYTHON" >/dev/null || { echo "python-clients: '$PYTHON' not found; install Python 3.11 to 3.13" >&2; exit 1; }
# The constraints' numpy 2.4 needs 3.11; their kserve 0.21 supports up to 3.13.
"$PYTHON" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' ||
  { echo "python-clients: '$PYTHON' is Python $("$PYTHON" -c 'import platform; print(platform.python_version())'); the pins need 3.11 to 3.13 (set PYTHON)" >&2; exit 1; }

stamp="$VENV/.inferlens-pins"
wanted="$("$PYTHON" -c 'import sys; print("python", *sys.version_info[:2])')
$(printf '%s\n' "${CLIENTS[@]}")
$(sha256sum "$CONSTRAINTS" | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] &&
  "$VENV/bin/python" -c "$IMPORTS" 2>/dev/null; then
  echo "python-clients: reusing $VENV" >&2
else
  echo "python-clients: creating $VENV with tritonclient and kserve" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" ||
    { echo "python-clients: '$PYTHON -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }
  PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
    "$VENV/bin/python" -m pip install --quiet --only-binary=:all: --constraint "$CONSTRAINTS" "${CLIENTS[@]}"
  "$VENV/bin/python" -c "$IMPORTS"
  # Written last: a failed or interrupted install leaves no stamp, so the next run starts over.
  printf '%s\n' "$wanted" >"$stamp"
fi

[[ "$VENV" == /* ]] || VENV="$(pwd)/$VENV"
echo "$VENV/bin/python"
