package io.kvasir.engine.model.needle;

/**
 * Which coordinates carry what, before the residual basis is rotated (see {@link NeedleWeights}).
 *
 * <p>Residual stream (hidden) coordinates: {@code [0, keys)} the key identity a needle offers, {@code [keys, 2·keys)}
 * the key identity a question asks for, {@code [2·keys, 3·keys)} a needle's value identity (at the question token
 * the same coordinates receive the retrieved answer), {@code 3·keys} "a value was just given", and the rest a
 * subspace where filler tokens live.
 *
 * <p>Attention head coordinates: key identity {@code i} sits in the lowest-frequency rotary pairs. In the
 * rotate-halves layout pair {@code p} is elements {@code (p, p + headDim/2)} and turns by
 * {@code position · theta^(-2p/headDim)}; keys fill the last {@code keys/2} pairs, both elements of each. With
 * {@code headDim >= 4·keys} the fastest of those pairs turns at {@code theta^(-3/4)} rad per position. Value
 * identity {@code j} is head element {@code j} of V (values are not rotated).
 *
 * @param heads query heads, each with its own KV head; every head retrieves the same way, so a sparse method that
 *              lets only one head see the needle still answers (as S2's head sharding expects)
 */
record NeedleLayout(int keys, int headDim, int heads) {

    static final int HEADS = 2;
    /** Small enough for cheap long-context attention; the head grows with the keys. */
    static final int MIN_HEAD_DIM = 64;

    static NeedleLayout forKeys(int keys) {
        return new NeedleLayout(keys, Math.max(MIN_HEAD_DIM, 4 * keys), HEADS);
    }

    int hidden() {
        return heads * headDim;
    }

    int offeredKey(int i) {
        return i;
    }

    int askedKey(int i) {
        return keys + i;
    }

    int value(int j) {
        return 2 * keys + j;
    }

    int answered() {
        return 3 * keys;
    }

    int firstFiller() {
        return 3 * keys + 1;
    }

    /** Head element of key identity {@code i}: the lowest-frequency pairs, two keys per pair. */
    int headKey(int i) {
        int half = headDim / 2;
        int pair = half - 1 - i / 2;
        return i % 2 == 0 ? pair : pair + half;
    }

    int headValue(int j) {
        return j;
    }

    /** Largest rotation, in radians, of any key coordinate between two positions {@code distance} apart. */
    double maxKeyRotation(double ropeTheta, int distance) {
        int fastestPair = headDim / 2 - 1 - (keys - 1) / 2;
        return distance * Math.pow(ropeTheta, -2.0 * fastestPair / headDim);
    }
}
