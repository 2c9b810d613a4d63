package io.kvasir.engine.gpu;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The PTX the loader falls back to on drivers older than the build's nvcc is one such a driver can assemble. */
class GpuKernelImageTest {

    @Test
    void loweredPtxAssemblesAsIsa78() throws Exception {
        KernelImage image;
        try {
            image = KernelImage.load();
        } catch (GpuUnavailableException e) {
            assumeTrue(false, e.getMessage());
            return;
        }
        String lowered = image.ptxForOlderDrivers();
        assertTrue(lowered.lines().anyMatch(".version 7.8"::equals));
        assertFalse(lowered.contains("used_bytes_mask"));
        Path ptxas = Path.of("/usr/local/cuda/bin/ptxas");
        assumeTrue(Files.isExecutable(ptxas), "no ptxas at " + ptxas + " to assemble the lowered PTX with");
        Path dir = Files.createTempDirectory("kvasir-ptx");
        try {
            Files.writeString(dir.resolve("k.ptx"), lowered);
            Process p = new ProcessBuilder(ptxas.toString(), "-arch=sm_90", "-o", dir.resolve("k.cubin").toString(),
                    dir.resolve("k.ptx").toString()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), output);
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.delete(dir);
        }
    }
}
