package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The input gradients of the two layers whose output channels are not a multiple of 16 (G's last, 64 to 3 as
 * 12 phase channels, and D's last, 512 to 1), which libtorch 2.7.1's oneDNN got wrong on AMD Zen 4 and Zen 5,
 * against a plain matrix product in double precision. The inputs stay fixed; the backward pass runs many times,
 * each after NaN-filled tensors of the sizes involved were freed, so that a kernel that reads memory it did not
 * write gives a non-finite or a wrong gradient.
 */
class LastLayerGradientTest {
    private static final int ITERATIONS = 60;
    private static final int N = 8;

    @Test
    void generatorLastLayerInputGradientIsAMatrixProduct() {
        int cin = 64;
        int cout = 3;
        int size = 32;
        Random random = new Random(7);
        float[] x = gaussian(random, N * cin * size * size, 1);
        float[] w = gaussian(random, cin * cout * 16, 0.02f);
        float[] r = gaussian(random, N * cout * 4 * size * size, 1e-3f); // dLoss/dy
        double[] expected = convTransposeInputGradient(w, r, cin, cout, size);
        checkRepeatedly(x, new Shape(N, cin, size, size), w, new Shape(cin, cout, 4, 4), r,
                new Shape(N, cout, 2 * size, 2 * size), expected, Dcgan::convTranspose);
    }

    @Test
    void discriminatorLastLayerInputGradientIsAMatrixProduct() {
        int cin = 512;
        Random random = new Random(11);
        float[] x = gaussian(random, N * cin * 16, 1);
        float[] w = gaussian(random, cin * 16, 0.02f);
        float[] r = gaussian(random, N, 0.1f);
        // y[n] = sum_k x[n, k] w[k]: dx[n, k] = r[n] w[k]
        double[] expected = new double[x.length];
        for (int n = 0; n < N; n++) {
            for (int k = 0; k < cin * 16; k++) {
                expected[n * cin * 16 + k] = (double) r[n] * w[k];
            }
        }
        checkRepeatedly(x, new Shape(N, cin, 4, 4), w, new Shape(1, cin, 4, 4), r, new Shape(N, 1, 1, 1), expected,
                Dcgan::discriminatorHead);
    }

    private static void checkRepeatedly(float[] x, Shape xShape, float[] w, Shape wShape, float[] r, Shape yShape,
                                        double[] expected, BinaryOperator<NDArray> layer) {
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double tolerance = 1e-4 * scale;
        int wrong = 0;
        String first = null;
        try (NDManager root = NDManager.newBaseManager()) {
            for (int it = 0; it < ITERATIONS; it++) {
                poisonFreedMemory(root, xShape, yShape);
                try (NDManager m = root.newSubManager()) {
                    NDArray xa = m.create(x, xShape);
                    NDArray wa = m.create(w, wShape);
                    xa.setRequiresGradient(true);
                    wa.setRequiresGradient(true);
                    try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                        NDArray y = layer.apply(xa, wa);
                        assertThat(y.getShape()).isEqualTo(yShape);
                        c.backward(y.mul(m.create(r, yShape)).sum());
                    }
                    float[] dx = xa.getGradient().toFloatArray();
                    int bad = 0;
                    for (int i = 0; i < dx.length; i++) {
                        if (!(Math.abs(dx[i] - expected[i]) <= tolerance)) { // NaN counts as wrong
                            bad++;
                            if (first == null) {
                                first = String.format("iteration %d, element %d: %s, expected %s", it, i, dx[i],
                                        expected[i]);
                            }
                        }
                    }
                    if (bad > 0) {
                        wrong++;
                    }
                }
            }
        }
        assertThat(wrong).as("iterations (of %d) with a wrong input gradient; first: %s", ITERATIONS, first).isZero();
    }

    /** Allocates NaN-filled tensors of the sizes the layer works on, and frees them. */
    private static void poisonFreedMemory(NDManager root, Shape... shapes) {
        try (NDManager junk = root.newSubManager()) {
            for (Shape s : shapes) {
                for (long padded : new long[] {1, 2, 16, 64}) {
                    junk.full(new Shape(s.size() * padded / 4 + 64), Float.NaN);
                    junk.full(s, Float.NaN);
                }
            }
        }
    }

    /** dx[n, c, i, j] = sum over o, ky, kx of w[c, o, ky, kx] r[n, o, 2i - 1 + ky, 2j - 1 + kx]. */
    private static double[] convTransposeInputGradient(float[] w, float[] r, int cin, int cout, int size) {
        int out = 2 * size;
        double[] dx = new double[N * cin * size * size];
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < cin; c++) {
                for (int i = 0; i < size; i++) {
                    for (int j = 0; j < size; j++) {
                        double sum = 0;
                        for (int o = 0; o < cout; o++) {
                            for (int ky = 0; ky < 4; ky++) {
                                int oy = 2 * i - 1 + ky;
                                if (oy < 0 || oy >= out) {
                                    continue;
                                }
                                for (int kx = 0; kx < 4; kx++) {
                                    int ox = 2 * j - 1 + kx;
                                    if (ox < 0 || ox >= out) {
                                        continue;
                                    }
                                    sum += (double) w[((c * cout + o) * 4 + ky) * 4 + kx]
                                            * r[((n * cout + o) * out + oy) * out + ox];
                                }
                            }
                        }
                        dx[((n * cin + c) * size + i) * size + j] = sum;
                    }
                }
            }
        }
        return dx;
    }

    private static float[] gaussian(Random random, int count, float scale) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) (scale * random.nextGaussian());
        }
        return out;
    }
}
