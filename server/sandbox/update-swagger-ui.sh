#!/usr/bin/env bash
# Replaces the vendored Swagger UI files of assets/ with those of swagger-ui-dist VERSION from
# the npm registry (npm pack; nothing is installed), then SwaggerUIVersion in sandbox.go.
#   server/sandbox/update-swagger-ui.sh 5.35.0
set -euo pipefail
version="${1:?usage: $0 VERSION}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
p="$tmp/package"
cp "$p/swagger-ui-bundle.js" "$p/swagger-ui-bundle.js.LICENSE.txt" "$p/swagger-ui.css" \
  "$p/oauth2-redirect.html" "$p/oauth2-redirect.js" "$p/favicon-32x32.png" "$here/assets/"
cp "$p/LICENSE" "$here/assets/swagger-ui-LICENSE.txt"
cp "$p/NOTICE" "$here/assets/swagger-ui-NOTICE.txt"
sed -i -E "s/^(const SwaggerUIVersion = \")[^\"]+\"/\1$version\"/" "$here/sandbox.go"
echo "swagger-ui-dist $version vendored; run the Go tests and .ci/browser/run"
