package io.kvasir.engine.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 vector kernels over arrays with offsets, each vectorized with a scalar tail. Reductions whose result scales
 * a whole row (the RMS of a norm, the softmax denominator) are accumulated in float64, so their error does not
 * grow with the row length; dot products accumulate in F32 lanes like the matrix kernels.
 */
public final class VectorOps {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats that widen to exactly one double vector. */
    private static final VectorSpecies<Float> NARROW =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int NARROW_LANES = NARROW.length();

    private VectorOps() {
    }

    /** {@code out = x / sqrt(mean(x^2) + eps) * weight}; {@code weight} starts at 0; out may be x. */
    public static void rmsNorm(float[] x, int xOff, float[] weight, float eps, float[] out, int outOff, int n) {
        double sumOfSquares = 0;
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (int bound = NARROW.loopBound(n); i < bound; i += NARROW_LANES) {
            DoubleVector v = (DoubleVector) FloatVector.fromArray(NARROW, x, xOff + i)
                    .convertShape(VectorOperators.F2D, D, 0);
            acc = v.fma(v, acc);
        }
        sumOfSquares += acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            double v = x[xOff + i];
            sumOfSquares += v * v;
        }
        float inverse = (float) (1.0 / Math.sqrt(sumOfSquares / n + eps));
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += LANES) {
            FloatVector.fromArray(F, x, xOff + j).mul(inverse).mul(FloatVector.fromArray(F, weight, j))
                    .intoArray(out, outOff + j);
        }
        for (; j < n; j++) {
            out[outOff + j] = x[xOff + j] * inverse * weight[j];
        }
    }

    /** {@code out = silu(gate) * up} with {@code silu(g) = g / (1 + e^-g)}; all from index 0; out may alias. */
    public static void swiglu(float[] gate, float[] up, float[] out, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            FloatVector denominator = g.neg().lanewise(VectorOperators.EXP).add(1f);
            g.mul(FloatVector.fromArray(F, up, i)).div(denominator).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = gate[i] * up[i] / (1f + (float) Math.exp(-gate[i]));
        }
    }

    /** {@code x = exp(x - max) / sum(exp(x - max))} over {@code x[off, off + n)}. */
    public static void softmaxInPlace(float[] x, int off, int n) {
        float max = max(x, off, n);
        double sum = expShifted(x, off, n, max, x, off);
        scale(x, off, n, (float) (1.0 / sum));
    }

    /** {@code out = x - log(sum(exp(x)))}, computed as {@code x - max - log(sum(exp(x - max)))}; x is unchanged. */
    public static void logSoftmax(float[] x, int off, int n, float[] out, int outOff) {
        float max = max(x, off, n);
        double sum = 0;
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (int bound = NARROW.loopBound(n); i < bound; i += NARROW_LANES) {
            FloatVector e = FloatVector.fromArray(NARROW, x, off + i).sub(max).lanewise(VectorOperators.EXP);
            acc = acc.add(e.convertShape(VectorOperators.F2D, D, 0));
        }
        sum += acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Math.exp(x[off + i] - max);
        }
        float logSum = (float) (max + Math.log(sum));
        int j = 0;
        for (int bound = F.loopBound(n); j < bound; j += LANES) {
            FloatVector.fromArray(F, x, off + j).sub(logSum).intoArray(out, outOff + j);
        }
        for (; j < n; j++) {
            out[outOff + j] = x[off + j] - logSum;
        }
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        // Two chains so consecutive FMAs do not wait on each other.
        for (int lastPair = n - 2 * LANES; i <= lastPair; i += 2 * LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + LANES).fma(FloatVector.fromArray(F, b, bOff + i + LANES), acc1);
        }
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        }
        return sum;
    }

    /** {@code y += alpha * x}, one rounding per element. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector a = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).fma(a, FloatVector.fromArray(F, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    public static void scale(float[] x, int off, int n, float s) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, x, off + i).mul(s).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= s;
        }
    }

    /** {@code acc += x}. */
    public static void add(float[] acc, int accOff, float[] x, int xOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            FloatVector.fromArray(F, acc, accOff + i).add(FloatVector.fromArray(F, x, xOff + i))
                    .intoArray(acc, accOff + i);
        }
        for (; i < n; i++) {
            acc[accOff + i] += x[xOff + i];
        }
    }

    private static float max(float[] x, int off, int n) {
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += LANES) {
            acc = acc.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        return max;
    }

    /** Writes {@code exp(x - shift)} to {@code out} and returns its float64 sum. */
    private static double expShifted(float[] x, int off, int n, float shift, float[] out, int outOff) {
        double sum = 0;
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0;
        for (int bound = NARROW.loopBound(n); i < bound; i += NARROW_LANES) {
            FloatVector e = FloatVector.fromArray(NARROW, x, off + i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(out, outOff + i);
            acc = acc.add(e.convertShape(VectorOperators.F2D, D, 0));
        }
        sum += acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - shift);
            out[outOff + i] = e;
            sum += e;
        }
        return sum;
    }
}
