#!/usr/bin/env bash
# Installs node-llama-cpp (prebuilt llama.cpp for CPU), the independent reference the engine's
# cross-check tests compare against. Idempotent: does nothing when the pinned version is present.
# Only the linux-x64 CPU binaries are installed: both steps omit the optional CUDA/Vulkan builds (~650 MB).
set -euo pipefail

VERSION=3.21.1
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${KVASIR_HOME:-$REPO/.kvasir}/npm"

installed_version() {
  node -p "require('$DIR/node_modules/$1/package.json').version" 2>/dev/null || true
}

if [[ "$(installed_version node-llama-cpp)" == "$VERSION" \
   && "$(installed_version @node-llama-cpp/linux-x64)" == "$VERSION" ]]; then
  exit 0
fi

command -v npm >/dev/null || { echo "install-llama-cpp: npm not found on PATH" >&2; exit 1; }
mkdir -p "$DIR"
[[ -f "$DIR/package.json" ]] || echo '{"private":true}' > "$DIR/package.json"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
run() {
  if ! (cd "$DIR" && "$@") >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-llama-cpp: failed: $*" >&2
    exit 1
  fi
}

echo "install-llama-cpp: installing node-llama-cpp@$VERSION into $DIR"
# Without the prebuilt binary yet, the package's postinstall would compile llama.cpp from source (many
# minutes on two cores); skip that, the next step installs the prebuilt CPU binary.
NODE_LLAMA_CPP_SKIP_DOWNLOAD=true run npm i -E "node-llama-cpp@$VERSION" --omit=optional --no-audit --no-fund
echo "install-llama-cpp: installing @node-llama-cpp/linux-x64@$VERSION"
run npm i -E "@node-llama-cpp/linux-x64@$VERSION" --omit=optional --no-audit --no-fund
