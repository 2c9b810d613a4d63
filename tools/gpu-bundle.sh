#!/usr/bin/env bash
# Run HERE (the build machine), before tools/gpu-check.sh runs on a GPU machine that may have neither Maven's
# repository nor a JDK 25. Builds the engine (with the CUDA kernels, when nvcc is here) and packs what the GPU
# self-test needs into engine/target/gpu-bundle.tgz (about 30 MB):
#   gpu-bundle/jdk   a jlink'ed Java 25 runtime (java.base, jdk.incubator.vector, java.logging, java.sql)
#   gpu-bundle/lib   the engine jar (kernels inside) and its GPU-path dependencies: JCuda and Jackson
# Carry engine/target/gpu-bundle.tgz to the GPU machine (the run tool's carry: ["engine/target/gpu-bundle.tgz"]).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JDK="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$JDK/bin/jlink" ] || { echo "gpu-bundle: needs a JDK 25 with jlink (set JAVA_HOME)" >&2; exit 1; }
export JAVA_HOME="$JDK"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

(cd "$ROOT" && ./mvnw -B -q -pl engine -am package -DskipTests)
TARGET="$ROOT/engine/target"
# grep without -q reads all of unzip's output, so pipefail does not see unzip killed by SIGPIPE.
unzip -l "$TARGET/kvasir-engine.jar" | grep kvasir_kernels.fatbin >/dev/null \
  || { echo "gpu-bundle: the engine jar has no CUDA kernels (no nvcc here?); the GPU check would only report that" >&2; exit 1; }

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/gpu-bundle/lib"
# JCuda's natives log through java.util.logging; Jackson touches java.sql types when it starts.
"$JDK/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.logging,java.sql \
  --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$STAGE/gpu-bundle/jdk" 2>/dev/null
cp "$TARGET/kvasir-engine.jar" "$TARGET"/lib/jcuda-*.jar "$TARGET"/lib/jackson-annotations-*.jar \
  "$TARGET"/lib/jackson-core-*.jar "$TARGET"/lib/jackson-databind-*.jar "$STAGE/gpu-bundle/lib/"
# The GPU path uses JCuda's driver bindings only; its runtime, NVRTC and 24 MB PTX-compiler libraries stay behind.
if command -v zip >/dev/null; then
  zip -q -d "$STAGE"/gpu-bundle/lib/jcuda-natives-*.jar 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' 'lib/libJCudaRuntime*'
fi
tar -czf "$TARGET/gpu-bundle.tgz" -C "$STAGE" gpu-bundle
echo "gpu-bundle: $(du -h "$TARGET/gpu-bundle.tgz" | cut -f1) in $TARGET/gpu-bundle.tgz"
