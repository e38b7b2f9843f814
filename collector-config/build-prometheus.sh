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
# source is downloaded and built as the main module. Skipped when the binary's
# stamp matches the version.
set -euo pipefail

# Prometheus 3.15.0: the newest release whose dependencies all download through
# the module proxy here (v0.316.0 needs module versions it answers 403 for).
# Keep in step with PROMETHEUS_IMAGE in ../.env.
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-v0.315.0}"

# shellcheck source=go-build.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/go-build.sh"
build_output prometheus prometheus
module="github.com/prometheus/prometheus"

exit_if_current "$PROMETHEUS_MODULE_VERSION"

begin_build "downloading $module@$PROMETHEUS_MODULE_VERSION"
copy_module_source "$module" "$PROMETHEUS_MODULE_VERSION"

# 3.15.0 from v0.315.0, for `prometheus --version`.
minor="${PROMETHEUS_MODULE_VERSION#v0.3}"
version="3.$((10#${minor%%.*})).${minor#*.}"

say "building Prometheus $version"
# GOWORK=off: the module ships a go.work naming folders its module zip leaves out.
# -buildvcs=false: the copy sits inside this git checkout. -s -w: no symbol tables (a third of the size).
(cd "$src_dir" && GOWORK=off GOFLAGS=-buildvcs=false go build \
  -ldflags "-s -w -X github.com/prometheus/common/version.Version=$version" \
  -o "$binary" ./cmd/prometheus)
rm -rf "$src_dir"
finish_build "$PROMETHEUS_MODULE_VERSION"
