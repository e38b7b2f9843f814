#!/usr/bin/env bash
# Build Prometheus from its Go module, for the end-to-end test that sends
# inferlens metrics through the collector's grafana overlay into it.
#
#   collector-config/build-prometheus.sh           # build if needed
#   FORCE=1 collector-config/build-prometheus.sh   # rebuild anyway
#
# Output: .cache/prometheus/prometheus. Prometheus 3.x releases are published
# as Go module versions v0.3xx.y (3.15.0 is v0.315.0). `go install pkg@version`
# refuses the module (its go.mod has a replace directive), so the module's
# source is downloaded and built as the main module. Go's module and build
# caches are used as they are. Idempotent: skipped when the binary's stamp
# matches the version.
set -euo pipefail

# Prometheus 3.15.0: the newest release whose dependencies all download through
# the module proxy here (v0.316.0 needs module versions it answers 403 for).
# Keep in step with PROMETHEUS_IMAGE in ../.env.
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-v0.315.0}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cache="$root/.cache/prometheus"
src_dir="$cache/src"
binary="$cache/prometheus"
stamp="$cache/prometheus.stamp"
module="github.com/prometheus/prometheus"

command -v go >/dev/null || { echo "build-prometheus: go is not installed" >&2; exit 1; }
mkdir -p "$cache"

if [[ -z "${FORCE:-}" && -x "$binary" && -f "$stamp" && "$(cat "$stamp")" == "$PROMETHEUS_MODULE_VERSION" ]]; then
  echo "build-prometheus: $binary is up to date ($PROMETHEUS_MODULE_VERSION)"
  exit 0
fi

start=$(date +%s)
echo "build-prometheus: downloading $module@$PROMETHEUS_MODULE_VERSION"
module_dir="$(cd "$cache" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$module@$PROMETHEUS_MODULE_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[[ -d "$module_dir" ]] || { echo "build-prometheus: no source directory for $module@$PROMETHEUS_MODULE_VERSION" >&2; exit 1; }

# The module cache is read-only; build from a writable copy.
rm -rf "$src_dir"
cp -r "$module_dir" "$src_dir"
chmod -R u+w "$src_dir"

# 3.15.0 from v0.315.0, for `prometheus --version`.
minor="${PROMETHEUS_MODULE_VERSION#v0.3}"
version="3.$((10#${minor%%.*})).${minor#*.}"

echo "build-prometheus: building Prometheus $version"
# GOWORK=off: the module ships a go.work naming folders its module zip leaves out.
# -buildvcs=false: the copy sits inside this git checkout. -s -w: no symbol tables (a third of the size).
(cd "$src_dir" && GOWORK=off GOFLAGS=-buildvcs=false go build \
  -ldflags "-s -w -X github.com/prometheus/common/version.Version=$version" \
  -o "$binary" ./cmd/prometheus)
rm -rf "$src_dir"
echo "$PROMETHEUS_MODULE_VERSION" > "$stamp"
echo "build-prometheus: built $binary in $(( $(date +%s) - start ))s ($(du -h "$binary" | cut -f1))"
