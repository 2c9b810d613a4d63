package io.kvasir.engine.gpu;

import java.util.Arrays;

/**
 * Times GPU work: each sample runs it and waits for the device, so a sample is the kernels' time plus launch cost.
 * One warm-up call (module load, first-launch costs), then the median of several samples; work shorter than
 * {@link #MIN_SAMPLE_SECONDS} is repeated within a sample so the timer's resolution does not matter.
 */
final class GpuTiming {

    private static final int SAMPLES = 5;
    private static final double MIN_SAMPLE_SECONDS = 0.05;

    private GpuTiming() {
    }

    static double medianMillis(CudaDevice device, Runnable work) {
        double single = time(device, work, 1);
        int reps = (int) Math.max(1, Math.min(1000, MIN_SAMPLE_SECONDS / single));
        // Multi-second work (dense attention at 128K) gets fewer samples: the device budget is minutes, not hours.
        int samples = single > 1 ? 3 : SAMPLES;
        double[] seconds = new double[samples];
        for (int i = 0; i < samples; i++) {
            seconds[i] = time(device, work, reps) / reps;
        }
        Arrays.sort(seconds);
        return seconds[samples / 2] * 1e3;
    }

    private static double time(CudaDevice device, Runnable work, int reps) {
        device.synchronize();
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            work.run();
        }
        device.synchronize();
        return (System.nanoTime() - start) * 1e-9;
    }
}
