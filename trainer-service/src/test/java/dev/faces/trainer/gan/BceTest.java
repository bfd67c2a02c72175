package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class BceTest {

    @Test
    void matchesTheDefinitionAndStaysFiniteWhenDIsSaturated() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {0.25f, 0.5f, 1f, 0f});
            p.setRequiresGradient(true);
            float loss;
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray l = Dcgan.bce(p, 1f);
                loss = l.getFloat();
                c.backward(l);
            }
            // -(log .25 + log .5 + log 1 + max(log 0, ...)) / 4, with log 0 floored at log(1e-30)
            double expected = -(Math.log(0.25) + Math.log(0.5) + 0 + Math.log(1e-30)) / 4;
            assertThat((double) loss).isCloseTo(expected, within(1e-4));
            float[] grad = p.getGradient().toFloatArray();
            assertThat(grad[0]).isCloseTo(-1f / (4 * 0.25f), within(1e-5f));
            for (float g : grad) {
                assertThat(Float.isFinite(g)).isTrue();
            }
        }
    }
}
