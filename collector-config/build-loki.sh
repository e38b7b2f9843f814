#!/usr/bin/env bash
# Build Loki from its Go module, for the end-to-end test that sends inferlens
# logs through the collector's grafana overlay into it.
#
#   collector-config/build-loki.sh           # build if needed
#   FORCE=1 collector-config/build-loki.sh   # rebuild anyway
#
# Output: .cache/loki/loki. Like Prometheus, the module's go.mod has replace
# directives, so `go install pkg@version` refuses it: its source is downloaded
# and built as the main module. Skipped when the binary's stamp matches the
# version.
set -euo pipefail

# Loki 3.7.8. Keep in step with LOKI_IMAGE in ../.env.
LOKI_MODULE_VERSION="${LOKI_MODULE_VERSION:-v3.7.8}"

# shellcheck source=go-build.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/go-build.sh"
build_output loki loki
module="github.com/grafana/loki/v3"

exit_if_current "$LOKI_MODULE_VERSION"

begin_build "downloading $module@$LOKI_MODULE_VERSION"
copy_module_source "$module" "$LOKI_MODULE_VERSION"

# go.mod points github.com/grafana/loki/pkg/push at ./pkg/push, a module of
# its own that the module zip leaves out. Without that replace, the version
# go.mod requires comes from the module proxy: what any module depending on
# Loki builds with.
(cd "$src_dir" && GOWORK=off go mod edit -dropreplace github.com/grafana/loki/pkg/push)

version="${LOKI_MODULE_VERSION#v}"
say "building Loki $version"
# -mod=mod: the build adds the go.sum lines that module needs.
# -buildvcs=false: the copy sits inside this git checkout. -s -w: no symbol tables.
(cd "$src_dir" && GOWORK=off GOFLAGS="-buildvcs=false -mod=mod" go build \
  -ldflags "-s -w -X github.com/grafana/loki/v3/pkg/util/build.Version=$version" \
  -o "$binary" ./cmd/loki)
rm -rf "$src_dir"
finish_build "$LOKI_MODULE_VERSION"
