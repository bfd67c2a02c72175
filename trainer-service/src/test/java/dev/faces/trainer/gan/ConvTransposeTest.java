package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The transposed convolutions against a direct implementation of the definition
 * {@code y[n, o, i*s - p + k] += x[n, c, i] * w[c, o, k]}, forward and backward.
 */
class ConvTransposeTest {

    @ParameterizedTest(name = "in {0} out {1} size {2} stride {3}")
    @CsvSource({"3, 5, 4, 2", "7, 2, 5, 2", "100, 6, 1, 1"})
    void forwardAndGradientsMatchTheDefinition(int cin, int cout, int size, int stride) {
        int pad = stride == 2 ? 1 : 0;
        int n = 2;
        int outSize = (size - 1) * stride - 2 * pad + 4;
        Random random = new Random(cin * 31L + cout);
        float[] x = gaussian(random, n * cin * size * size);
        float[] w = gaussian(random, cin * cout * 16);
        float[] r = gaussian(random, n * cout * outSize * outSize); // dL/dy for L = sum(y * r)

        float[] yDirect = new float[n * cout * outSize * outSize];
        float[] dxDirect = new float[x.length];
        float[] dwDirect = new float[w.length];
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < cin; c++) {
                for (int o = 0; o < cout; o++) {
                    for (int iy = 0; iy < size; iy++) {
                        for (int ix = 0; ix < size; ix++) {
                            for (int ky = 0; ky < 4; ky++) {
                                for (int kx = 0; kx < 4; kx++) {
                                    int oy = iy * stride - pad + ky;
                                    int ox = ix * stride - pad + kx;
                                    if (oy < 0 || ox < 0 || oy >= outSize || ox >= outSize) {
                                        continue;
                                    }
                                    int xi = ((b * cin + c) * size + iy) * size + ix;
                                    int wi = ((c * cout + o) * 4 + ky) * 4 + kx;
                                    int yi = ((b * cout + o) * outSize + oy) * outSize + ox;
                                    yDirect[yi] += x[xi] * w[wi];
                                    dxDirect[xi] += w[wi] * r[yi];
                                    dwDirect[wi] += x[xi] * r[yi];
                                }
                            }
                        }
                    }
                }
            }
        }

        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray xa = manager.create(x, new Shape(n, cin, size, size));
            NDArray wa = manager.create(w, new Shape(cin, cout, 4, 4));
            xa.setRequiresGradient(true);
            wa.setRequiresGradient(true);
            float[] y;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = stride == 1
                        ? Dcgan.firstConvTranspose(xa.reshape(n, cin), wa)
                        : Dcgan.convTranspose(xa, wa);
                assertThat(out.getShape()).isEqualTo(new Shape(n, cout, outSize, outSize));
                y = out.toFloatArray();
                collector.backward(out.mul(manager.create(r, out.getShape())).sum());
            }
            assertClose(y, yDirect, 1e-5f);
            assertClose(xa.getGradient().toFloatArray(), dxDirect, 1e-5f);
            assertClose(wa.getGradient().toFloatArray(), dwDirect, 1e-5f);
        }
    }

    private static void assertClose(float[] actual, float[] expected, float tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(tolerance));
        }
    }

    private static float[] gaussian(Random random, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }
}
