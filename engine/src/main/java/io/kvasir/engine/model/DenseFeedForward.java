package io.kvasir.engine.model;

import io.kvasir.engine.tensor.DType;
import io.kvasir.engine.tensor.SharedInputProducts;
import io.kvasir.engine.tensor.VectorOps;
import io.kvasir.engine.tensor.WeightMatrix;

/** The SwiGLU MLP {@code down(silu(gate(x)) · up(x))}; also one expert of a mixture. Not thread-safe. */
public final class DenseFeedForward implements FeedForward {

    private final WeightMatrix gate, up, down;
    private final SharedInputProducts gateUp;
    private float[] g = new float[0], u = new float[0];

    /** gate, up {@code [F×H]}; down {@code [H×F]}. */
    public DenseFeedForward(WeightMatrix gate, WeightMatrix up, WeightMatrix down) {
        this.gate = gate;
        this.up = up;
        this.down = down;
        this.gateUp = new SharedInputProducts(gate, up);
    }

    @Override
    public void apply(TokenBatch batch, float[] in, float[] out) {
        apply(in, out, batch.size());
    }

    /** {@code out[rows×H] = down(silu(gate(in)) · up(in))} for {@code in[rows×H]}. */
    public void apply(float[] in, float[] out, int rows) {
        int F = gate.rows();
        if (g.length < rows * F) {
            g = new float[rows * F];
            u = new float[rows * F];
        }
        gateUp.multiply(in, new float[][]{g, u}, rows);                 // g, u [rows×F]
        VectorOps.swiglu(g, u, g, rows * F);
        down.multiply(g, out, rows);                                    // out [rows×H]
    }

    @Override
    public long matrixBytes() {
        return bytes(gate) + bytes(up) + bytes(down);
    }

    static long bytes(WeightMatrix m) {
        DType t = m.dtype();
        return t.bytesFor((long) m.rows() * m.cols());
    }
}
