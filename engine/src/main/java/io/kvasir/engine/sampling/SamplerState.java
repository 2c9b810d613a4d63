package io.kvasir.engine.sampling;

/**
 * Where a sequence's random stream stands: the seed it started from and how many draws it has taken. A sampler
 * rebuilt from it in another process continues the same stream, so a seeded request gives the same tokens whether it
 * is prefilled and decoded in one process or handed over between two.
 */
public record SamplerState(long seed, long draws) {

    public SamplerState {
        if (draws < 0) {
            throw new IllegalArgumentException("a sampler cannot have taken " + draws + " draws");
        }
    }
}
