# shellcheck shell=bash
# Sourced (not run) by the build and install scripts, after their
# `set -euo pipefail`: the repository's paths, the output's place under
# .cache/, and the stamp that makes a second run with nothing changed return
# at once (FORCE=1 builds anyway).

config_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$config_dir/.." && pwd)"
# Every message starts with the script's name (build-collector, install-elasticsearch, ...).
build_name="$(basename "$0" .sh)"

say() { echo "$build_name: $*"; }
fail() { say "$@" >&2; exit 1; }

# build_output FOLDER BINARY: the output goes to .cache/FOLDER/BINARY, its stamp
# to .cache/FOLDER/<BINARY's file name>.stamp (bin/elasticsearch: elasticsearch.stamp).
# Sets cache, binary and stamp.
build_output() {
  cache="$root/.cache/$1"
  binary="$cache/$2"
  stamp="$cache/$(basename "$2").stamp"
  mkdir -p "$cache"
}

# exit_if_current WANT: ends the script when the binary exists and its stamp is WANT.
exit_if_current() {
  if [[ -z "${FORCE:-}" && -x "$binary" && -f "$stamp" && "$(cat "$stamp")" == "$1" ]]; then
    say "$binary is up to date (stamp $1)"
    exit 0
  fi
}

# begin_build MESSAGE: says what comes next and starts the clock finish_build reports.
begin_build() {
  build_started=$(date +%s)
  say "$@"
}

# finish_build WANT [SIZED]: stamps the output with WANT, so the next run can
# skip, and says how long it took and the size of SIZED (default: the binary).
finish_build() {
  echo "$1" > "$stamp"
  say "built $binary in $(( $(date +%s) - build_started ))s ($(du -sh "${2:-$binary}" | cut -f1))"
}
