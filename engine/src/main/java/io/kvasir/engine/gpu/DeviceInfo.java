package io.kvasir.engine.gpu;

/** What the driver reports about the device; {@code clockKhz} is the maximum (boost) SM clock. */
public record DeviceInfo(String name, int computeMajor, int computeMinor, int multiprocessors, int clockKhz,
                         int maxSharedBytesPerBlock, long memoryBytes, String driverVersion) {

    public String computeCapability() {
        return computeMajor + "." + computeMinor;
    }
}
