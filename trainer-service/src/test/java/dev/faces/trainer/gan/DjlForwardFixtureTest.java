package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.faces.core.DcganLayers;
import dev.faces.core.Latents;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The trainer's DJL eval-mode forward on fixed weights and latents, kept as the generator-service's parity
 * fixture (its pure-Java forward must match it within 1e-4). This test fails when the DJL forward drifts from
 * the committed fixture; {@code -Dparity.regenerate=true} rewrites it.
 */
class DjlForwardFixtureTest {
    static final Path FIXTURE = Path.of("..", "generator-service", "src", "test", "resources", "parity",
            "djl-forward.safetensors");
    static final int WIDTH = 8;
    static final int COUNT = 6;

    @Test
    void djlForwardMatchesTheGeneratorParityFixture() throws Exception {
        Map<String, SafeTensor> fixture = new LinkedHashMap<>();
        float[] out;
        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.initialise(root, DcganLayers.generator(WIDTH), new Random(7))) {
            NoGrad.run(() -> Dcgan.recalibrate(g, 4, 32, 11, root)); // running statistics far from 0 / 1
            g.state().forEach((k, v) -> fixture.put(k, v));
            float[] z = Latents.of(5, COUNT);
            try (NDManager m = root.newSubManager()) {
                out = NoGrad.call(() -> Dcgan.generate(g, m.create(z, new Shape(COUNT, Latents.DIM)), Dcgan.Mode.EVAL, m)
                        .toFloatArray());
            }
            fixture.put("latents", SafeTensor.f32(z, COUNT, Latents.DIM));
            fixture.put("output", SafeTensor.f32(out, COUNT, 3, 64, 64));
        }
        if (Boolean.getBoolean("parity.regenerate") || !Files.exists(FIXTURE)) {
            Files.createDirectories(FIXTURE.getParent());
            Files.write(FIXTURE, SafeTensors.write(fixture, Map.of("producer", "trainer-service DjlForwardFixtureTest")));
        }
        float[] committed = SafeTensors.read(Files.readAllBytes(FIXTURE)).require("output").floats();
        assertThat(committed).hasSameSizeAs(out);
        for (int i = 0; i < out.length; i++) {
            assertThat(out[i]).as("pixel %d", i).isCloseTo(committed[i], within(1e-5f));
        }
    }
}
