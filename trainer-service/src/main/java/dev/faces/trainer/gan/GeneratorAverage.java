package dev.faces.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.faces.core.DcganLayers;
import dev.faces.core.tensor.SafeTensors;
import java.util.List;
import java.util.Map;

/**
 * G_ema (Karras et al., StyleGAN): an exponential moving average of the generator's weights, updated after
 * every step and never trained. It smooths the step-to-step noise of G. Its BatchNorm statistics are not
 * averaged: they are recalibrated on the average itself before every checkpoint, like G's.
 */
public final class GeneratorAverage implements AutoCloseable {
    private final Net average;
    private final double decay;

    private GeneratorAverage(Net average, double decay) {
        this.average = average;
        this.decay = decay;
    }

    /** An average that starts as a copy of {@code generator}. */
    public static GeneratorAverage of(NDManager root, Net generator, double decay) {
        return load(root, SafeTensors.read(SafeTensors.write(generator.state(), Map.of())), decay);
    }

    /** An average saved by {@link #state} (a checkpoint's generator-ema.safetensors, or a resume state's). */
    static GeneratorAverage load(NDManager root, SafeTensors.Contents state, double decay) {
        return new GeneratorAverage(Net.loadFrozen(root, DcganLayers.GENERATOR, state), decay);
    }

    /**
     * The weight of the old average after {@code step} steps: {@code min(decay, (1 + step) / (10 + step))}. The
     * warm-up keeps a young average close to G instead of to its random initialisation.
     */
    static double beta(double decay, long step) {
        return Math.min(decay, (1.0 + step) / (10.0 + step));
    }

    /** {@code average = beta * average + (1 - beta) * G}, for every trainable tensor, after step {@code step}. */
    public void update(Net generator, long step) {
        float beta = (float) beta(decay, step);
        List<NDArray> from = generator.parameters();
        List<NDArray> to = average.parameters();
        NoGrad.run(() -> {
            try (NDManager scratch = average.manager().newSubManager()) {
                for (int i = 0; i < to.size(); i++) {
                    NDArray share = from.get(i).mul(1f - beta);
                    share.attach(scratch);
                    to.get(i).muli(beta).addi(share);
                }
            }
        });
    }

    Net net() {
        return average;
    }

    @Override
    public void close() {
        average.close();
    }
}
