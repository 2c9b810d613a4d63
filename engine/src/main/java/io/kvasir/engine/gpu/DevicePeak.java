package io.kvasir.engine.gpu;

/**
 * A device's theoretical peak throughput, from what the driver reports:
 * {@code peak = multiprocessors × per-SM operations per clock × max SM clock}, where the per-SM rates of a compute
 * capability are NVIDIA's architecture whitepaper figures (dense, no sparsity):
 * F32 FMA lanes × 2 flops, and BF16 tensor-core flops with F32 accumulation.
 * E.g. H100 SXM (9.0, 132 SMs, 1.98 GHz): F32 132·128·2·1.98e9 = 66.9 TFLOP/s, BF16 132·4096·1.98e9 = 1070 TFLOP/s.
 * Capabilities whose parts differ in tensor rate (8.6, 8.9: consumer and data-centre parts), unknown ones, or a
 * driver that no longer reports the clock give NaN.
 */
public record DevicePeak(double f32Tflops, double bf16Tflops) {

    public static DevicePeak of(DeviceInfo info) {
        double clockHz = info.clockKhz() > 0 ? info.clockKhz() * 1e3 : Double.NaN;
        double sms = info.multiprocessors();
        double f32PerSm = switch (info.computeMajor() * 10 + info.computeMinor()) {
            case 80 -> 64 * 2;                       // A100
            case 86, 87, 89, 90, 100, 120 -> 128 * 2; // GA10x, Ada, Hopper, Blackwell
            default -> Double.NaN;
        };
        double bf16PerSm = switch (info.computeMajor() * 10 + info.computeMinor()) {
            case 80 -> 2048;          // A100: 312 TFLOP/s at 1.41 GHz, 108 SMs
            case 90 -> 4096;          // H100/H200
            case 100 -> 8192;         // B200
            default -> Double.NaN;
        };
        return new DevicePeak(sms * f32PerSm * clockHz / 1e12, sms * bf16PerSm * clockHz / 1e12);
    }
}
