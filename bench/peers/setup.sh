#!/usr/bin/env bash
# Creates the Python environments of the peer model servers under
# .cache/bench/ (one venv per peer, as their dependencies pin differently) and
# trains MLServer's scikit-learn iris model. Idempotent: a peer whose venv
# finished installing is left alone. A peer that fails to install is reported
# on stderr and skipped; the script still exits 0 when the other one worked.
#
# Usage: bash bench/peers/setup.sh [--force]
set -uo pipefail
cd "$(dirname "$0")/../.."

CACHE=.cache/bench
PYTHON=${PYTHON:-python3}
# Versions measured; change them here, once. kserve's is the one the official-client
# tests run (scripts/ci/python-clients.constraints.txt).
KSERVE_PIN=$(grep -E '^kserve==' scripts/ci/python-clients.constraints.txt)
KSERVE_PACKAGES=("$KSERVE_PIN" onnxruntime numpy)
# uvloop 0.22 removed the implicit event loop MLServer 1.7's parallel workers rely on.
MLSERVER_PACKAGES=(mlserver==1.7.1 mlserver-sklearn==1.7.1 scikit-learn joblib 'uvloop<0.22')

mkdir -p "$CACHE"
[[ "${1:-}" == "--force" ]] && rm -rf "$CACHE/kserve-venv" "$CACHE/mlserver-venv" "$CACHE/mlserver-iris"

# install_venv NAME PACKAGES...: creates $CACHE/NAME and installs the packages; the
# `.installed` marker (the package list) is written last, so an interrupted install,
# or one of another package list, is redone next time.
install_venv() {
  local name=$1
  shift
  local venv="$CACHE/$name"
  [[ -f "$venv/.installed" && "$(cat "$venv/.installed")" == "$*" ]] && return 0
  rm -rf "$venv"
  echo "bench: installing $name (${*})" >&2
  "$PYTHON" -m venv "$venv" &&
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >"$CACHE/$name.log" 2>&1 &&
    echo "$*" >"$venv/.installed"
}

status=1
if install_venv kserve-venv "${KSERVE_PACKAGES[@]}"; then
  status=0
else
  echo "bench: kserve could not be installed; see $CACHE/kserve-venv.log" >&2
fi

if install_venv mlserver-venv "${MLSERVER_PACKAGES[@]}"; then
  if [[ ! -f "$CACHE/mlserver-iris/model.joblib" ]]; then
    mkdir -p "$CACHE/mlserver-iris" &&
      "$CACHE/mlserver-venv/bin/python" bench/peers/train_sklearn_iris.py "$CACHE/mlserver-iris/model.joblib"
  fi &&
    cp bench/peers/mlserver-model-settings.json "$CACHE/mlserver-iris/model-settings.json" &&
    status=0
else
  echo "bench: mlserver could not be installed; see $CACHE/mlserver-venv.log" >&2
fi
exit $status
