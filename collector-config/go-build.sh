# shellcheck shell=bash
# Sourced (not run) by build-collector.sh, build-prometheus.sh and build-loki.sh, after their
# `set -euo pipefail`: build-cache.sh's paths and stamps, the Go check, and
# the module download the source builds share. Go's module and build caches
# (go env GOMODCACHE / GOCACHE) are used as they are.

# shellcheck source=build-cache.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/build-cache.sh"

command -v go >/dev/null || fail "go is not installed"

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
