package io.kvasir.engine.cli;

import io.kvasir.engine.gpu.Cuda;
import picocli.CommandLine.Option;

/** {@code --device cpu|cuda}: where a command computes. CPU is the default; CUDA must be usable or the command fails. */
final class DeviceOption {

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu | cuda (default ${DEFAULT-VALUE}); cuda needs an NVIDIA GPU of compute capability 8.0+,"
                    + " its driver, and the kernels built by nvcc")
    String device;

    /** True for a usable {@code cuda}; throws with the reason when {@code cuda} is unusable or the name is unknown. */
    boolean cuda() {
        return switch (device) {
            case "cpu" -> false;
            case "cuda" -> {
                if (!Cuda.available()) {
                    throw new IllegalArgumentException("--device cuda: no usable GPU: " + Cuda.unavailableReason());
                }
                yield true;
            }
            default -> throw new IllegalArgumentException("--device must be cpu or cuda, got '" + device + "'");
        };
    }

    /** For commands whose whole forward pass would have to run on the GPU, which the engine cannot do yet. */
    void requireCpuForwardPass(String command) {
        if (cuda()) {
            throw new IllegalArgumentException("--device cuda: " + command + " runs its forward pass on the CPU only;"
                    + " the GPU kernels are used by `bench attention --device cuda`");
        }
    }
}
