package io.kvasir.engine.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The compiled kernels as classpath resources (written by {@code src/main/cuda/build-kernels.sh}): a fat binary
 * (sm_90 code and compute_90 PTX) and the PTX as text.
 */
record KernelImage(byte[] fatbin, String ptx) {

    private static final String FATBIN = "kvasir_kernels.fatbin";
    private static final String PTX = "kvasir_kernels.ptx";

    static KernelImage load() {
        byte[] fatbin = read(FATBIN);
        byte[] ptx = read(PTX);
        if (fatbin == null || ptx == null) {
            throw new GpuUnavailableException("GPU kernels not built: " + (fatbin == null ? FATBIN : PTX)
                    + " is not on the classpath (build the engine where nvcc is on PATH or at /usr/local/cuda/bin/nvcc)");
        }
        return new KernelImage(fatbin, new String(ptx, StandardCharsets.US_ASCII));
    }

    /**
     * The PTX declared as ISA 7.8 (CUDA 11.8, the first with sm_90) instead of the version of the nvcc that wrote it,
     * for a driver older than that nvcc, which refuses newer ISA versions outright. The kernels use nothing newer
     * than 7.0 (bf16 WMMA) except {@code used_bytes_mask} pragmas (ISA 8.3), which are load hints only and are
     * dropped. build-kernels.sh checks the result by assembling it with ptxas, as such a driver would.
     */
    String ptxForOlderDrivers() {
        return ptx.replaceFirst("(?m)^\\.version \\d+\\.\\d+$", ".version 7.8")
                .replaceAll("(?m)^\\s*\\.pragma \"used_bytes_mask [^\"]*\";\\R", "");
    }

    private static byte[] read(String name) {
        try (InputStream in = KernelImage.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new GpuUnavailableException("cannot read GPU kernels " + name + ": " + e.getMessage(), e);
        }
    }
}
