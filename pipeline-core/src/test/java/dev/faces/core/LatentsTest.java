package dev.faces.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatentsTest {

    @Test
    void usesTheDocumentedSplitMix64Stream() {
        // SplittableRandom(seed).nextDouble() is the same SplitMix64 stream the documentation describes.
        SplittableRandom reference = new SplittableRandom(42);
        double u1 = reference.nextDouble();
        double u2 = reference.nextDouble();
        float[] z = Latents.of(42, 1);
        assertThat(z[0]).isCloseTo((float) (Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2)), within(1e-6f));
        assertThat(z[1]).isCloseTo((float) (Math.sqrt(-2 * Math.log(1 - u1)) * Math.sin(2 * Math.PI * u2)), within(1e-6f));
    }

    @Test
    void isDeterministicAndStandardNormal() {
        assertThat(Latents.of(7, 3)).containsExactly(Latents.of(7, 3));
        float[] many = Latents.of(1, 2000);
        double sum = 0;
        double sq = 0;
        for (float v : many) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / many.length;
        assertThat(mean).isCloseTo(0, within(0.02));
        assertThat(sq / many.length - mean * mean).isCloseTo(1, within(0.03));
        assertThat(Latents.of(1, 2)[100]).isEqualTo(many[100]);
        assertThat(Latents.derive(1, 2, 3)).isNotEqualTo(Latents.derive(1, 3, 2));
    }
}
