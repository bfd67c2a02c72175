package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class BceTest {

    /**
     * The backward pass of bce reads its constants again: with two garbage collections between forward and
     * backward (and freed native memory refilled with NaN bit patterns), its gradient must still be exactly
     * d/dp of -mean(log p), that is -1 / (N p).
     */
    @Test
    void gradientIsExactWhenGarbageIsCollectedBetweenForwardAndBackward() {
        float[] values = {0.1f, 0.25f, 0.3f, 0.5f, 0.6f, 0.75f, 0.9f, 0.95f};
        for (int trial = 0; trial < 5; trial++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray p = m.create(values);
                p.setRequiresGradient(true);
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                    NDArray l = Dcgan.bce(p, 1f);
                    System.gc();
                    GcPressure.fillFreedNativeMemory();
                    System.gc();
                    GcPressure.fillFreedNativeMemory();
                    c.backward(l);
                }
                float[] grad = p.getGradient().toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    float expected = -1f / (values.length * values[i]);
                    assertThat(grad[i]).as("trial %d, dL/dp[%d]", trial, i)
                            .isCloseTo(expected, within(Math.ulp(expected) * 2));
                }
            }
        }
    }

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
