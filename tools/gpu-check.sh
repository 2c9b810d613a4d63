#!/usr/bin/env bash
# The GPU check, for a GPU machine with a copy of the repository: runs every GPU-vs-CPU kernel comparison
# (PASS/FAIL per check with its max error and tolerance) and then the GPU attention benchmark, without Maven.
#
#   tools/gpu-check.sh [LENGTHS]          LENGTHS: comma-separated context lengths, default 32768,131072
#
# Needs, in this order of preference:
#   classes  engine/target/gpu-bundle.tgz (made by tools/gpu-bundle.sh, carried here), else
#            engine/target/kvasir-engine.jar + engine/target/lib/* (a plain `./mvnw -pl engine -am package`)
#   JDK 25   $KVASIR_JDK, the bundle's jdk, $JAVA_HOME, /usr/lib/jvm/temurin-25*, /usr/lib/jvm/*, java on PATH
# Writes to $OUT (else ./gpu-check-out): gpu-check.log (everything), gpu-selftest.txt (the checks),
# gpu-attention.json (the benchmark), environment.txt (nvidia-smi, java -version).
# Exit status: 0 all checks passed, 1 a check failed, 2 no usable GPU (the reason is printed), 3 setup problem,
# 124 over KVASIR_GPU_CHECK_TIMEOUT seconds (default 480).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LENGTHS="${1:-32768,131072}"
OUT_DIR="${OUT:-$ROOT/gpu-check-out}"
mkdir -p "$OUT_DIR"
LOG="$OUT_DIR/gpu-check.log"
say() { printf 'gpu-check: %s\n' "$*" | tee -a "$LOG" >&2; }
: > "$LOG"

BUNDLE_TGZ="$ROOT/engine/target/gpu-bundle.tgz"
BUNDLE=""
if [ -f "$BUNDLE_TGZ" ]; then
  UNPACKED="$(mktemp -d)"
  trap 'rm -rf "$UNPACKED"' EXIT
  BUNDLE="$UNPACKED/gpu-bundle"
  tar -xzf "$BUNDLE_TGZ" -C "$UNPACKED" || { say "cannot unpack $BUNDLE_TGZ"; exit 3; }
  CLASSPATH_="$BUNDLE/lib/*"
  say "classes from $BUNDLE_TGZ"
elif [ -f "$ROOT/engine/target/kvasir-engine.jar" ] && [ -d "$ROOT/engine/target/lib" ]; then
  CLASSPATH_="$ROOT/engine/target/kvasir-engine.jar:$ROOT/engine/target/lib/*"
  say "classes from engine/target/kvasir-engine.jar and engine/target/lib"
else
  say "no engine build: carry engine/target/gpu-bundle.tgz (tools/gpu-bundle.sh) or engine/target (./mvnw -pl engine -am package -DskipTests)"
  exit 3
fi

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p'; }

find_java() {
  local candidates=()
  [ -n "${KVASIR_JDK:-}" ] && candidates+=("$KVASIR_JDK/bin/java")
  [ -n "$BUNDLE" ] && candidates+=("$BUNDLE/jdk/bin/java")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*; do candidates+=("$d/bin/java"); done
  command -v java >/dev/null && candidates+=("$(command -v java)")
  local c major
  for c in "${candidates[@]}"; do
    [ -x "$c" ] || continue
    major="$(java_major "$c")"
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  return 1
}

JAVA="$(find_java)" || {
  say "no JDK 25 or newer: set KVASIR_JDK to one, or carry engine/target/gpu-bundle.tgz (it includes a runtime)"
  exit 3
}
say "java: $JAVA"

{
  echo "== nvidia-smi"; (command -v nvidia-smi >/dev/null && nvidia-smi) 2>&1 || echo "nvidia-smi not found"
  echo "== java"; "$JAVA" -version 2>&1
  echo "== uname"; uname -a
} > "$OUT_DIR/environment.txt"

# The benchmark at 128K tokens holds ~1.5 GB of inputs on the heap before uploading them. The time limit keeps a
# hung kernel from eating the GPU machine's budget; what was written before it stays in $OUT.
timeout "${KVASIR_GPU_CHECK_TIMEOUT:-480}" "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx16g \
  -cp "$CLASSPATH_" io.kvasir.engine.gpu.GpuSelfTest "$OUT_DIR" "$LENGTHS" 2>&1 | grep -v 'Using incubator modules' | tee -a "$LOG"
status="${PIPESTATUS[0]}"
say "exit status $status (0 all passed, 1 a check failed, 2 no usable GPU, 124 timed out); results in $OUT_DIR"
exit "$status"
