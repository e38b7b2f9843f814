#!/usr/bin/env bash
# Install Elasticsearch for the end-to-end test that sends inferlens logs and
# traces through the collector's elasticsearch overlay into it.
#
#   collector-config/install-elasticsearch.sh           # install if needed
#   FORCE=1 collector-config/install-elasticsearch.sh   # reinstall anyway
#
# Output: .cache/elasticsearch/ (bin/elasticsearch, run with a Java 17+ from
# ES_JAVA_HOME or JAVA_HOME). The distribution is Elasticsearch's
# integration-test zip, the one Elasticsearch publishes to Maven Central:
# the server and its core modules, without x-pack's plugins, so without the
# built-in logs-otel/traces-otel/metrics-otel index templates (the test
# installs the part of them it relies on). Maven fetches it; skipped when the
# stamp matches the version.
set -euo pipefail

# The newest release published there (the 9.x line is not). The compose
# profile runs ELASTICSEARCH_IMAGE in ../.env.
ELASTICSEARCH_VERSION="${ELASTICSEARCH_VERSION:-8.19.21}"
ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ELASTICSEARCH_VERSION:zip"

# shellcheck source=build-cache.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/build-cache.sh"
command -v mvn >/dev/null || fail "mvn is not installed"
command -v unzip >/dev/null || fail "unzip is not installed"
build_output elasticsearch bin/elasticsearch

exit_if_current "$ELASTICSEARCH_VERSION"

begin_build "fetching $ARTIFACT"
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
# Maven's output is kept for a failure only: even quiet and colourless, it writes bare ANSI resets.
mvn --batch-mode --quiet -Dstyle.color=never dependency:copy -Dartifact="$ARTIFACT" -DoutputDirectory="$download" \
  >"$download/mvn.log" 2>&1 || { cat "$download/mvn.log" >&2; fail "Maven could not fetch $ARTIFACT"; }
unzip -q "$download/elasticsearch-$ELASTICSEARCH_VERSION.zip" -d "$download"
rm -rf "$cache"
mv "$download/elasticsearch-$ELASTICSEARCH_VERSION" "$cache"
finish_build "$ELASTICSEARCH_VERSION" "$cache"
