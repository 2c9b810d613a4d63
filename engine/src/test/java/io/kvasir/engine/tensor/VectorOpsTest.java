package io.kvasir.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each operation against a float64 scalar reference, at lengths below, at and far above the vector width (so both
 * the vector loop and the scalar tail run) and at non-zero offsets. Tolerances are in units of F32 rounding
 * (2^-24 relative) and say which roundings the kernel is allowed.
 */
class VectorOpsTest {

    private static final double EPS = 0x1p-24;
    private static final int OFF = 3;

    private static float[] gaussian(Random random, int n, double scale) {
        float[] x = new float[OFF + n + 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * scale);
        }
        return x;
    }

    private static void assertClose(double want, float got, double tolerance, String what) {
        assertTrue(Math.abs(got - want) <= tolerance,
                () -> what + ": got " + got + ", want " + want + " (tolerance " + tolerance + ")");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 1000, 4099, 100_003})
    void rmsNorm(int n) {
        Random random = new Random(n);
        float[] x = gaussian(random, n, 3);
        float[] weight = gaussian(random, n, 1);
        float[] out = new float[OFF + n + 1];
        float eps = 1e-6f;
        VectorOps.rmsNorm(x, OFF, weight, eps, out, 1, n);
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++) {
            sumOfSquares += (double) x[OFF + i] * x[OFF + i];
        }
        double inverse = 1 / Math.sqrt(sumOfSquares / n + eps);
        for (int i = 0; i < n; i++) {
            double want = x[OFF + i] * inverse * weight[i];
            // Three F32 roundings (the inverse RMS, two products): 4 ulps. An F32 sum of squares over a long row
            // would add about sqrt(n / lanes) ulps to the inverse and fail here.
            assertClose(want, out[1 + i], 4 * EPS * Math.abs(want), "rmsNorm[" + i + "]");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 1000})
    void swiglu(int n) {
        Random random = new Random(n);
        float[] gate = gaussian(random, n, 4);
        float[] up = gaussian(random, n, 1);
        float[] out = new float[n];
        VectorOps.swiglu(gate, up, out, n);
        for (int i = 0; i < n; i++) {
            double g = gate[i];
            double want = g / (1 + Math.exp(-g)) * up[i];
            // exp (a few ulps in the vector math library), the add, product and division: 8 ulps.
            assertClose(want, out[i], 8 * EPS * Math.abs(want) + Float.MIN_NORMAL, "swiglu[" + i + "]");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 1000, 151_936})
    void softmaxInPlace(int n) {
        Random random = new Random(n);
        float[] x = gaussian(random, n, 5);
        float[] original = x.clone();
        VectorOps.softmaxInPlace(x, OFF, n);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, original[OFF + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(original[OFF + i] - max);
        }
        for (int i = 0; i < n; i++) {
            double want = Math.exp(original[OFF + i] - max) / sum;
            // The shift x - max is rounded to F32 (exp turns its half ulp into that much relative error), then
            // exp (a few ulps), the reciprocal of the float64 sum and one product: 8 ulps on top.
            double shiftError = Math.ulp((float) (original[OFF + i] - max)) / 2;
            assertClose(want, x[OFF + i], (8 * EPS + shiftError) * want, "softmax[" + i + "]");
        }
        assertEquals(original[OFF - 1], x[OFF - 1]);
        assertEquals(original[OFF + n], x[OFF + n]);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 1000, 151_936})
    void logSoftmax(int n) {
        Random random = new Random(n);
        float[] x = gaussian(random, n, 5);
        float[] original = x.clone();
        float[] out = new float[n + 4];
        VectorOps.logSoftmax(x, OFF, n, out, 2);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(original[OFF + i]);
        }
        double logSum = Math.log(sum);
        for (int i = 0; i < n; i++) {
            double want = original[OFF + i] - logSum;
            // The log-sum is rounded to F32 once and the difference once: an ulp of each, doubled for the exps.
            double tolerance = 2 * (Math.ulp((float) logSum) + Math.ulp((float) want));
            assertClose(want, out[2 + i], tolerance, "logSoftmax[" + i + "]");
        }
        assertTrue(java.util.Arrays.equals(original, x), "x must be unchanged");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 47, 1000, 4099})
    void dot(int n) {
        Random random = new Random(n);
        float[] a = gaussian(random, n, 1);
        float[] b = gaussian(random, n, 1);
        double want = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            want += (double) a[OFF + i] * b[OFF + 1 + i];
            magnitude += Math.abs((double) a[OFF + i] * b[OFF + 1 + i]);
        }
        // F32 accumulation in some order: about sqrt(n) ulps of the sum of magnitudes (see WeightMatrixTest).
        assertClose(want, VectorOps.dot(a, OFF, b, OFF + 1, n), 8 * Math.sqrt(n) * EPS * magnitude, "dot");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 16, 33, 1000})
    void axpyScaleAdd(int n) {
        Random random = new Random(n);
        float[] x = gaussian(random, n, 1);
        float[] y = gaussian(random, n, 1);
        float[] y0 = y.clone();
        VectorOps.axpy(0.37f, x, OFF, y, 1, n);
        for (int i = 0; i < n; i++) {
            double want = y0[1 + i] + 0.37f * (double) x[OFF + i];
            // One rounding (fused multiply-add): half an ulp, allowing for the reference's own double rounding.
            assertClose(want, y[1 + i], Math.ulp((float) want), "axpy[" + i + "]");
        }
        assertEquals(y0[0], y[0]);

        float[] s = x.clone();
        VectorOps.scale(s, OFF, n, -1.7f);
        for (int i = 0; i < x.length; i++) {
            boolean inRange = i >= OFF && i < OFF + n;
            // A single F32 product is exactly what the scalar expression rounds to.
            assertEquals(inRange ? x[i] * -1.7f : x[i], s[i], "scale[" + i + "]");
        }

        float[] acc = y0.clone();
        VectorOps.add(acc, 2, x, OFF, n);
        for (int i = 0; i < acc.length; i++) {
            boolean inRange = i >= 2 && i < 2 + n;
            assertEquals(inRange ? y0[i] + x[OFF + i - 2] : y0[i], acc[i], "add[" + i + "]");
        }
    }
}
