package dev.faces.generator.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class GemmTest {

    @Test
    void thePlainGemmMatchesTheDefinitionOnEdgeAndDcganShapes() {
        int[][] shapes = {{1, 8192, 100}, {16, 4096, 64}, {13, 70, 37}, {11, 64, 9}, {7, 31, 5}, {6, 32, 1}, {64, 2048, 256}, {1030, 96, 128},
            {48, 1024, 64}};
        ForkJoinPool pool = new ForkJoinPool(2);
        Random random = new Random(3);
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) random.nextGaussian();
            }
            float[] plain = new float[m * n];
            java.util.Arrays.fill(plain, Float.NaN); // C is overwritten, never accumulated into
            Gemm.multiply(a, b, plain, m, n, k, pool);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double expected = 0;
                    for (int p = 0; p < k; p++) {
                        expected += (double) a[i * k + p] * b[p * n + j];
                    }
                    double tolerance = 1e-4 * Math.sqrt(k) * 4;
                    assertThat((double) plain[i * n + j]).as("plain %dx%dx%d at %d,%d", m, n, k, i, j)
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
                }
            }
        }
        pool.shutdown();
    }
}
