package dev.faces.generator.model;

import static dev.faces.generator.model.PanelKernel.NR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PanelKernelTest {

    @Test
    void theTestJvmRunsTheVectorPass() {
        assertThat(Kernels.VECTOR).as("surefire's argLine adds jdk.incubator.vector").isTrue();
    }

    /** Rows read in taps at scattered offsets, all row counts around the six-row block, full and narrow panels. */
    @Test
    void rowsMatchTheDefinitionWithTapsBiasReluAndNarrowPanels() {
        Random random = new Random(5);
        int depth = 7;
        int[] delta = {0, 40, -3, 17};
        int[] offsets = new int[delta.length * depth];
        for (int t = 0; t < delta.length; t++) {
            for (int p = 0; p < depth; p++) {
                offsets[t * depth + p] = delta[t] + p;
            }
        }
        float[] a = gaussian(random, 400);
        float[] b = gaussian(random, delta.length * depth * NR);
        float[] bias = gaussian(random, NR);
        for (int rows : new int[] {1, 5, 6, 7, 13}) {
            for (int width : new int[] {NR, NR - 1, 3}) {
                for (boolean relu : new boolean[] {true, false}) {
                    int[] aRow = new int[rows];
                    int[] cRow = new int[rows];
                    for (int r = 0; r < rows; r++) {
                        aRow[r] = 10 + 23 * r;       // rows neither contiguous nor in step with the depth
                        cRow[r] = (rows - 1 - r) * (NR + 5);
                    }
                    float[] c = new float[rows * (NR + 5) + 2];
                    Arrays.fill(c, Float.NaN);
                    PanelKernel.rows(a, aRow, 0, rows, offsets, b, 0, c, cRow, 1, width, relu ? bias : null, 0);
                    for (int r = 0; r < rows; r++) {
                        for (int j = 0; j < NR + 4; j++) { // each row owns NR + 5 floats from cRow[r]
                            float got = c[cRow[r] + 1 + j];
                            if (j >= width) {
                                assertThat(got).as("rows %d width %d row %d col %d untouched", rows, width, r, j).isNaN();
                                continue;
                            }
                            double sum = relu ? bias[j] : 0;
                            for (int t = 0; t < delta.length; t++) {
                                for (int p = 0; p < depth; p++) {
                                    sum += (double) a[aRow[r] + delta[t] + p] * b[(t * depth + p) * NR + j];
                                }
                            }
                            double expected = relu ? Math.max(0, sum) : sum;
                            assertThat((double) got).as("rows %d width %d row %d col %d", rows, width, r, j)
                                    .isCloseTo(expected, within(1e-5));
                        }
                    }
                }
            }
        }
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
