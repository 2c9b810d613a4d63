#!/usr/bin/env bash
# Compiles the CUDA kernels into OUT_DIR/io/kvasir/engine/gpu (classpath resources) when nvcc is available:
#   kvasir_kernels.fatbin  sm_90 machine code plus compute_90 PTX (the driver JIT-compiles it for newer GPUs)
#   kvasir_kernels.ptx     compute_90 PTX text, the loader's fallback for drivers older than this nvcc
# Without nvcc it says so and succeeds: the engine builds, and the GPU backend reports "kernels not built".
set -euo pipefail

SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT_DIR="${1:?usage: build-kernels.sh OUT_DIR}/io/kvasir/engine/gpu"

NVCC="$(command -v nvcc || true)"
if [ -z "$NVCC" ] && [ -x /usr/local/cuda/bin/nvcc ]; then
  NVCC=/usr/local/cuda/bin/nvcc
fi
if [ -z "$NVCC" ]; then
  echo "[kvasir] nvcc not found (PATH, /usr/local/cuda/bin): GPU kernels not built; GPU tests will be skipped"
  exit 0
fi

mkdir -p "$OUT_DIR"
SOURCE="$SRC_DIR/kvasir_kernels.cu"
# Up to date: nothing to do (nvcc takes seconds, and every build would pay it).
if [ "$OUT_DIR/kvasir_kernels.fatbin" -nt "$SOURCE" ] && [ "$OUT_DIR/kvasir_kernels.ptx" -nt "$SOURCE" ]; then
  exit 0
fi
echo "[kvasir] compiling CUDA kernels with $NVCC"
"$NVCC" -O3 -fatbin -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90 \
  -o "$OUT_DIR/kvasir_kernels.fatbin" "$SOURCE"
"$NVCC" -O3 -ptx -arch=compute_90 -o "$OUT_DIR/kvasir_kernels.ptx" "$SOURCE"
# The loader's fallback for older drivers declares the PTX as ISA 7.8 and drops the load hints newer ISAs added
# (KernelImage.ptxForOlderDrivers); prove that such a driver could assemble it, i.e. the kernels use nothing newer.
LOWERED="$(mktemp --suffix=.ptx)"
trap 'rm -f "$LOWERED" "$LOWERED.cubin"' EXIT
sed -E -e '0,/^\.version [0-9]+\.[0-9]+$/s//.version 7.8/' -e '/^\s*\.pragma "used_bytes_mask [^"]*";$/d' \
  "$OUT_DIR/kvasir_kernels.ptx" > "$LOWERED"
PTXAS="$(command -v ptxas || echo "$(dirname "$NVCC")/ptxas")"
"$PTXAS" -arch=sm_90 -o "$LOWERED.cubin" "$LOWERED"
