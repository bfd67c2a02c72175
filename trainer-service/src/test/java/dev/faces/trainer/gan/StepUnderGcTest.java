package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.faces.core.DcganLayers;
import dev.faces.core.Latents;
import dev.faces.core.tensor.SafeTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A few training steps of the full networks give bit-identical, finite weights whether or not a thread keeps
 * collecting garbage meanwhile: no step reads memory that was freed between its forward and backward passes.
 */
class StepUnderGcTest {
    private static final int STEPS = 3;
    private static final int BATCH = 4;

    @Test
    void stepsAreBitIdenticalWithAndWithoutGarbageCollections() throws Exception {
        List<Map<String, SafeTensor>> quiet = train();
        List<Map<String, SafeTensor>> collected;
        try (GcPressure gc = GcPressure.start()) {
            collected = train();
        }
        for (int net = 0; net < 2; net++) {
            Map<String, SafeTensor> a = quiet.get(net);
            Map<String, SafeTensor> b = collected.get(net);
            assertThat(b.keySet()).isEqualTo(a.keySet());
            for (String name : a.keySet()) {
                if (a.get(name).dtype() != SafeTensor.DType.F32) {
                    continue;
                }
                float[] x = a.get(name).floats();
                for (float v : x) {
                    assertThat(Float.isFinite(v)).as("%s of %s is finite", name, net == 0 ? "G" : "D").isTrue();
                }
                int differs = java.util.Arrays.mismatch(x, b.get(name).floats());
                assertThat(differs).as("first element of %s of %s that differs under GC", name, net == 0 ? "G" : "D")
                        .isEqualTo(-1);
            }
        }
    }

    private static List<Map<String, SafeTensor>> train() {
        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.initialise(root, DcganLayers.GENERATOR, new Random(3));
             Net d = Net.initialise(root, DcganLayers.DISCRIMINATOR, new Random(4))) {
            DcganStep step = new DcganStep(g, d, Adam.tutorial(g, 2e-4, 0.5), Adam.tutorial(d, 2e-4, 0.5));
            Random pixels = new Random(5);
            for (int k = 0; k < STEPS; k++) {
                try (NDManager batch = root.newSubManager()) {
                    float[] real = new float[BATCH * 3 * 64 * 64];
                    for (int i = 0; i < real.length; i++) {
                        real[i] = pixels.nextFloat() * 2 - 1;
                    }
                    NDArray images = batch.create(real, new Shape(BATCH, 3, 64, 64));
                    NDArray noise = batch.create(Latents.of(Latents.derive(9, k), BATCH), new Shape(BATCH, Latents.DIM));
                    assertThat(step.run(images, noise).isFinite()).isTrue();
                }
            }
            List<Map<String, SafeTensor>> out = new ArrayList<>();
            out.add(g.state());
            out.add(d.state());
            return out;
        }
    }
}
