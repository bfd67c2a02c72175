package dev.faces.trainer.gan;

import dev.faces.core.tensor.SafeTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The gate in front of every write of a training state: a model or optimiser with a NaN or an infinity in any
 * tensor is never serialised for others to load. Finite losses do not imply finite weights: a wrong gradient
 * can poison a weight in the last step, and the loss of that step was computed before it.
 */
public final class FiniteStates {
    private FiniteStates() {
    }

    /**
     * @param what names the state in the message ("G", "G_ema", "D", "Adam")
     * @throws DivergedException "diverged: non-finite {what} {tensor} after step {step}"
     */
    public static void require(String what, Map<String, SafeTensor> state, long step) {
        for (Map.Entry<String, SafeTensor> e : state.entrySet()) {
            SafeTensor t = e.getValue();
            if (t.dtype() == SafeTensor.DType.F32 && !allFinite(t.data())) {
                throw new DivergedException(String.format("diverged: non-finite %s %s after step %d",
                        what, e.getKey(), step));
            }
        }
    }

    /** G, D, G_ema and both Adams' state, each checked finite: what is serialised is what was checked. */
    public record Checked(Map<String, SafeTensor> g, Map<String, SafeTensor> d, Map<String, SafeTensor> ema,
                          Map<String, SafeTensor> optimizer) {
        static Checked of(Map<String, SafeTensor> g, Map<String, SafeTensor> d, Map<String, SafeTensor> ema,
                          Map<String, SafeTensor> optimizer, long step) {
            require("G", g, step);
            require("G_ema", ema, step);
            require("D", d, step);
            require("Adam", optimizer, step);
            return new Checked(g, d, ema, optimizer);
        }
    }

    /** As {@link #require}, for a number such as an epoch's SWD. */
    public static void requireFinite(String what, double value, long step) {
        if (!Double.isFinite(value)) {
            throw new DivergedException(String.format("diverged: non-finite %s (%s) after step %d",
                    what, value, step));
        }
    }

    static boolean allFinite(byte[] littleEndianFloats) {
        FloatBuffer values = ByteBuffer.wrap(littleEndianFloats).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        while (values.hasRemaining()) {
            if (!Float.isFinite(values.get())) {
                return false;
            }
        }
        return true;
    }
}
