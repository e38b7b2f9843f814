# shellcheck shell=bash
# Sourced (not run) by build-collector.sh, build-prometheus.sh and build-loki.sh, after their
# `set -euo pipefail`: the repository's paths, the Go check, the binary's
# place under .cache/ and the stamp that makes a second run with nothing
# changed return at once (FORCE=1 rebuilds anyway). Go's module and build
# caches (go env GOMODCACHE / GOCACHE) are used as they are.

config_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$config_dir/.." && pwd)"
# Every message starts with the script's name (build-collector, build-prometheus, build-loki).
build_name="$(basename "$0" .sh)"

say() { echo "$build_name: $*"; }
fail() { say "$@" >&2; exit 1; }

command -v go >/dev/null || fail "go is not installed"

# build_output FOLDER BINARY: the build goes to .cache/FOLDER/BINARY, its stamp next to it.
# Sets cache, binary and stamp.
build_output() {
  cache="$root/.cache/$1"
  binary="$cache/$2"
  stamp="$binary.stamp"
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

# finish_build WANT: stamps the binary with WANT, so the next run can skip.
finish_build() {
  echo "$1" > "$stamp"
  say "built $binary in $(( $(date +%s) - build_started ))s ($(du -h "$binary" | cut -f1))"
}

# copy_module_source MODULE VERSION: downloads MODULE@VERSION's source with
# `go mod download` and copies it to $cache/src, writable (the module cache is
# not), to be built there as the main module; `rm -rf "$src_dir"` once built.
# Sets src_dir.
copy_module_source() {
  src_dir="$cache/src"
  local module_dir
  module_dir="$(cd "$cache" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$1@$2" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$module_dir" ]] || fail "no source directory for $1@$2"
  rm -rf "$src_dir"
  cp -r "$module_dir" "$src_dir"
  chmod -R u+w "$src_dir"
}
