package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SlicedWassersteinTest {

    @Test
    void orderedByHowDifferentTheSetsAre() {
        float[] real = smoothImages(new Random(1), 16, 0f);
        float[] sameKind = smoothImages(new Random(2), 16, 0f);
        float[] noise = new float[real.length];
        Random r = new Random(3);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (float) r.nextGaussian();
        }
        double floor = SlicedWasserstein.distance(real, 16, sameKind, 16, 9);
        double far = SlicedWasserstein.distance(real, 16, noise, 16, 9);
        double self = SlicedWasserstein.distance(real, 16, real, 16, 9);
        assertThat(floor).isPositive();
        assertThat(far).isGreaterThan(2.5 * floor);
        assertThat(self).isLessThan(floor);
        assertThat(SlicedWasserstein.distance(real, 16, noise, 16, 9)).isEqualTo(far); // deterministic for a seed
    }

    @Test
    void libtorchsProjectionsGiveJavasDistance() {
        float[] real = smoothImages(new Random(1), 16, 0f);
        float[] other = smoothImages(new Random(5), 16, 0.2f);
        double java = SlicedWasserstein.distance(real, 16, other, 16, 9);
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            double torch = SlicedWasserstein.distance(real, 16, other, 16, 9, new LibtorchProjector(m));
            assertThat(torch).isCloseTo(java, within(java * 1e-5));
            double otherSeed = SlicedWasserstein.distance(real, 16, other, 16, 10, new LibtorchProjector(m));
            assertThat(otherSeed).as("a different draw of patches and directions").isNotCloseTo(java, within(java * 1e-3));
        }
    }

    @Test
    void theLaplacianPyramidReconstructsTheImage() {
        float[] img = smoothImages(new Random(4), 1, 0.3f);
        float[][] levels = SlicedWasserstein.pyramid(img, 1);
        float[] up16 = SlicedWasserstein.upsample(levels[2], 3, 16);
        float[] level32 = new float[up16.length];
        for (int i = 0; i < up16.length; i++) {
            level32[i] = levels[1][i] + up16[i];
        }
        float[] up32 = SlicedWasserstein.upsample(level32, 3, 32);
        for (int i = 0; i < img.length; i++) {
            assertThat(levels[0][i] + up32[i]).isCloseTo(img[i], within(1e-4f));
        }
    }

    @Test
    void theRadixSortOrdersFloatsAsArraysSortDoes() {
        Random r = new Random(5);
        float[] values = new float[10_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 6));
        }
        values[0] = 0f;
        values[1] = -0f;
        values[2] = Float.MAX_VALUE;
        values[3] = -Float.MAX_VALUE;
        int[] keys = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            keys[i] = SlicedWasserstein.sortKey(values[i]);
        }
        SlicedWasserstein.radixSort(keys, new int[keys.length + 7]);
        float[] expected = values.clone();
        java.util.Arrays.sort(expected);
        for (int i = 0; i < values.length; i++) {
            assertThat(SlicedWasserstein.fromSortKey(keys[i])).as("[%d]", i).isEqualTo(expected[i]);
        }
    }

    @Test
    void bordersAreMirroredAsInKarrasEtAl() {
        float[] corner = new float[8 * 8];
        corner[0] = 1f;
        // mirrored (d c b | a b c d): the taps outside the image see the zeros at 1 and 2, so 6/16 per axis;
        // clamped edges would repeat the corner and give (1 + 4 + 6)/16 per axis.
        assertThat(SlicedWasserstein.downsample(corner, 1, 8)[0]).isCloseTo(36 / 256f, within(1e-6f));
    }

    /** Blobs of colour: smooth images with random centres and colours. */
    private static float[] smoothImages(Random random, int n, float offset) {
        float[] out = new float[n * 3 * 64 * 64];
        for (int i = 0; i < n; i++) {
            double cx = 16 + random.nextInt(32);
            double cy = 16 + random.nextInt(32);
            for (int c = 0; c < 3; c++) {
                double colour = random.nextDouble() * 2 - 1;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        double d = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 200.0;
                        out[((i * 3 + c) * 64 + y) * 64 + x] = (float) (colour * Math.exp(-d)) + offset;
                    }
                }
            }
        }
        return out;
    }
}
