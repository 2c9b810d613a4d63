package io.kvasir.engine.attention.sparse;

import java.util.SplittableRandom;

/**
 * Synthetic Q/K/V of one attention layer with planted structure, for estimator tests and the attention bench:
 * attention sinks (the first 4 keys), a local band, a few vertical columns every query reads, a slash band at a
 * head-specific distance, and needle keys read only by the last 128 queries (a question at the end of a prompt).
 *
 * <p>Each key carries indicator coordinates (sink, vertical, needle) and a smooth random code {@code c_j} (an AR(1)
 * walk on the unit sphere, so {@code c_i·c_j ≈ ρ^|i−j|}); query {@code i} of head {@code h} reads the indicators
 * with fixed strengths and the codes {@code c_i} (local band) and {@code c_(i−d_h)} (slash band). The random codes
 * are what makes the rest of the keys a noisy background. Values are standard normal.
 * Layouts: q {@code [tokens][heads][headDim]}, k and v {@code [tokens][kvHeads][headDim]}.
 *
 * @param slashDistance per query head, the distance of its slash band
 * @param needleKeys    per KV head, the positions of its needle keys
 */
public record PlantedAttention(int tokens, int heads, int kvHeads, int headDim, float[] q, float[] k, float[] v,
                               int[] slashDistance, int[][] needleKeys) {

    public static final int SINKS = 4;
    public static final int VERTICALS = 16;
    public static final int NEEDLES = 2;
    public static final int QUESTION_ROWS = 128;
    /** Score strengths (after the 1/√d scaling) of each planted feature. */
    static final double SINK = 13, VERTICAL = 12, NEEDLE = 15, LOCAL = 12, SLASH = 12.5;
    static final double CORRELATION = 0.98;
    private static final int INDICATORS = 3;

    public static PlantedAttention generate(int tokens, int heads, int kvHeads, int headDim, long seed) {
        if (headDim < 16) {
            throw new IllegalArgumentException("planted structure needs a head dimension of at least 16");
        }
        SplittableRandom r = new SplittableRandom(seed);
        int codeDim = headDim - INDICATORS;
        float[] q = new float[tokens * heads * headDim];
        float[] k = new float[tokens * kvHeads * headDim];
        float[] v = new float[tokens * kvHeads * headDim];
        int[] slash = new int[heads];
        int[][] needles = new int[kvHeads][];
        double amplitude = Math.sqrt(headDim);                      // cancels the kernel's 1/√d
        int group = heads / kvHeads;
        for (int kvh = 0; kvh < kvHeads; kvh++) {
            float[] codes = smoothCodes(tokens, codeDim, r);
            boolean[] vertical = pick(tokens, VERTICALS, r);
            boolean[] needle = pick(tokens, NEEDLES, r);
            needles[kvh] = java.util.stream.IntStream.range(0, tokens).filter(j -> needle[j]).toArray();
            for (int j = 0; j < tokens; j++) {
                int at = (j * kvHeads + kvh) * headDim;
                k[at] = j < SINKS ? 1 : 0;
                k[at + 1] = vertical[j] ? 1 : 0;
                k[at + 2] = needle[j] ? 1 : 0;
                System.arraycopy(codes, j * codeDim, k, at + INDICATORS, codeDim);
                for (int d = 0; d < headDim; d++) {
                    v[at + d] = (float) gaussian(r);
                }
            }
            for (int hh = 0; hh < group; hh++) {
                int h = kvh * group + hh;
                // Slash distances spread over the context, so most fall outside any fixed local window.
                slash[h] = tokens / 8 + r.nextInt(Math.max(1, tokens * 5 / 8));
                for (int i = 0; i < tokens; i++) {
                    int at = (i * heads + h) * headDim;
                    q[at] = (float) (amplitude * SINK);
                    q[at + 1] = (float) (amplitude * VERTICAL);
                    q[at + 2] = i >= tokens - QUESTION_ROWS ? (float) (amplitude * NEEDLE) : 0f;
                    for (int d = 0; d < codeDim; d++) {
                        double local = LOCAL * codes[i * codeDim + d];
                        double far = i >= slash[h] ? SLASH * codes[(i - slash[h]) * codeDim + d] : 0;
                        q[at + INDICATORS + d] = (float) (amplitude * (local + far));
                    }
                }
            }
        }
        return new PlantedAttention(tokens, heads, kvHeads, headDim, q, k, v, slash, needles);
    }

    /** Unit vectors with c_i·c_j ≈ ρ^|i−j| and independent far apart. */
    private static float[] smoothCodes(int tokens, int dim, SplittableRandom r) {
        float[] codes = new float[tokens * dim];
        double[] c = new double[dim];
        double innovation = Math.sqrt(1 - CORRELATION * CORRELATION);
        for (int i = 0; i < tokens; i++) {
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                c[d] = (i == 0 ? 1 : CORRELATION) * c[d] + (i == 0 ? 1 : innovation) * gaussian(r) / Math.sqrt(dim);
                norm += c[d] * c[d];
            }
            double inv = 1 / Math.sqrt(norm);
            for (int d = 0; d < dim; d++) {
                codes[i * dim + d] = (float) (c[d] * inv);
            }
        }
        return codes;
    }

    private static boolean[] pick(int tokens, int count, SplittableRandom r) {
        boolean[] chosen = new boolean[tokens];
        for (int i = 0; i < Math.min(count, tokens - SINKS); i++) {
            int p;
            do {
                p = SINKS + r.nextInt(tokens - SINKS);
            } while (chosen[p]);
            chosen[p] = true;
        }
        return chosen;
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
