package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.faces.core.DcganLayers;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** G_ema's arithmetic: the warm-up, and average = beta * average + (1 - beta) * G on every trainable tensor. */
class GeneratorAverageTest {

    @Test
    void warmsUpThenHoldsTheDecay() {
        assertThat(GeneratorAverage.beta(0.999, 0)).isCloseTo(0.1, within(1e-12));
        assertThat(GeneratorAverage.beta(0.999, 90)).isCloseTo(0.91, within(1e-12));
        assertThat(GeneratorAverage.beta(0.999, 1_000_000)).isEqualTo(0.999);
    }

    @Test
    void movesEachWeightTowardsTheGeneratorByOneMinusBeta() {
        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.initialise(root, DcganLayers.GENERATOR, new Random(1))) {
            GeneratorAverage average = GeneratorAverage.of(root, g, 0.999);
            float before = average.net().get("main.0.weight").toFloatArray()[7];
            assertThat(before).isEqualTo(g.get("main.0.weight").toFloatArray()[7]);
            NoGrad.run(() -> g.parameters().forEach(p -> p.set(new ai.djl.ndarray.index.NDIndex("..."), 1f)));

            average.update(g, 1_000_000); // past the warm-up: beta = 0.999
            NDArray after = average.net().get("main.0.weight");
            assertThat(after.toFloatArray()[7]).isCloseTo(0.999f * before + 0.001f, within(1e-6f));
            // The BatchNorm statistics are not averaged (they are recalibrated before a checkpoint).
            assertThat(average.net().get("main.1.running_var").toFloatArray()[0]).isEqualTo(1f);
            assertThat(after.hasGradient()).as("no optimiser trains the average").isFalse();
        }
    }
}
