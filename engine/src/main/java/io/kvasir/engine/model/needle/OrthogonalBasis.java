package io.kvasir.engine.model.needle;

import java.util.SplittableRandom;

/**
 * A random orthonormal basis of R^n (Gram–Schmidt on Gaussian vectors, twice for float64 accuracy). The needle
 * model is built on axis-aligned coordinates and then expressed in this basis: RMSNorm with unit weights keeps
 * lengths, so the model computes the same function while every weight matrix is dense.
 */
final class OrthogonalBasis {

    private final double[][] vectors;

    private OrthogonalBasis(double[][] vectors) {
        this.vectors = vectors;
    }

    static OrthogonalBasis random(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] v = new double[n][n];
        for (int k = 0; k < n; k++) {
            for (int c = 0; c < n; c++) {
                v[k][c] = gaussian(random);
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int prev = 0; prev < k; prev++) {
                    double dot = 0;
                    for (int c = 0; c < n; c++) {
                        dot += v[k][c] * v[prev][c];
                    }
                    for (int c = 0; c < n; c++) {
                        v[k][c] -= dot * v[prev][c];
                    }
                }
            }
            double norm = 0;
            for (int c = 0; c < n; c++) {
                norm += v[k][c] * v[k][c];
            }
            norm = Math.sqrt(norm);
            for (int c = 0; c < n; c++) {
                v[k][c] /= norm;
            }
        }
        return new OrthogonalBasis(v);
    }

    /** Component {@code c} (in stored coordinates) of basis vector {@code k}. */
    double component(int k, int c) {
        return vectors[k][c];
    }

    static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble(), u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
