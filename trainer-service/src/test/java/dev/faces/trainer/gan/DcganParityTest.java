package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.faces.core.DcganLayers;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * One full training step against the tutorial's own code on PyTorch (fixture by
 * src/test/resources/parity/make_parity_fixture.py): same initial weights, batch and latents must give the
 * same losses, D outputs and updated weights, BN running statistics and counters.
 */
class DcganParityTest {
    /** Float32 reductions in a different order differ by ~1e-6; Adam's first step moves weights by ~lr. */
    private static final float LOSS_TOLERANCE = 1e-4f;
    private static final float WEIGHT_TOLERANCE = 2e-5f;
    private static final int WIDTH = 8;

    @Test
    void oneStepMatchesTheTutorialOnPyTorch() throws Exception {
        SafeTensors.Contents fixture;
        try (InputStream in = getClass().getResourceAsStream("/parity/parity.safetensors")) {
            fixture = SafeTensors.read(in.readAllBytes());
        }
        List<DcganLayers.Layer> gLayers = DcganLayers.generator(WIDTH);
        List<DcganLayers.Layer> dLayers = DcganLayers.discriminator(WIDTH);
        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.load(root, gLayers, prefixed(fixture, "g0."));
             Net d = Net.load(root, dLayers, prefixed(fixture, "d0."))) {
            DcganStep step = new DcganStep(g, d, Adam.tutorial(g, 0.0002, 0.5), Adam.tutorial(d, 0.0002, 0.5));
            DcganStep.Result result;
            try (NDManager batch = root.newSubManager()) {
                NDArray real = batch.create(fixture.require("real").floats(), new Shape(4, 3, 64, 64));
                NDArray noise = batch.create(fixture.require("noise").floats(), new Shape(4, 100));
                result = step.run(real, noise);
            }
            float[] expected = fixture.require("result").floats();
            assertThat(result.lossD()).isCloseTo(expected[0], within(LOSS_TOLERANCE));
            assertThat(result.lossG()).isCloseTo(expected[1], within(LOSS_TOLERANCE));
            assertThat(result.dx()).isCloseTo(expected[2], within(LOSS_TOLERANCE));
            assertThat(result.dgz1()).isCloseTo(expected[3], within(LOSS_TOLERANCE));
            assertThat(result.dgz2()).isCloseTo(expected[4], within(LOSS_TOLERANCE));

            assertStateMatches(g.state(), prefixed(fixture, "g1.").tensors(), prefixed(fixture, "g0.").tensors());
            assertStateMatches(d.state(), prefixed(fixture, "d1.").tensors(), prefixed(fixture, "d0.").tensors());
        }
    }

    @Test
    void parameterCountsOfTheFullNetworks() {
        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.initialise(root, DcganLayers.GENERATOR, new Random(1));
             Net d = Net.initialise(root, DcganLayers.DISCRIMINATOR, new Random(2))) {
            assertThat(g.parameters().stream().mapToLong(NDArray::size).sum()).isEqualTo(3_576_704L);
            assertThat(d.parameters().stream().mapToLong(NDArray::size).sum()).isEqualTo(2_765_568L);
        }
    }

    private static void assertStateMatches(Map<String, SafeTensor> actual, Map<String, SafeTensor> expected,
                                           Map<String, SafeTensor> initial) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (String name : expected.keySet()) {
            SafeTensor e = expected.get(name);
            SafeTensor a = actual.get(name);
            assertThat(a.shape()).as(name).containsExactly(e.shape());
            if (e.dtype() == SafeTensor.DType.I64) {
                assertThat(a.longs()).as(name).containsExactly(e.longs());
                continue;
            }
            float[] af = a.floats();
            float[] ef = e.floats();
            float[] before = initial.get(name).floats();
            boolean moved = false;
            for (int i = 0; i < ef.length; i++) {
                assertThat(af[i]).as("%s[%d]", name, i).isCloseTo(ef[i], within(WEIGHT_TOLERANCE));
                moved |= ef[i] != before[i];
            }
            assertThat(moved).as("%s changed in the PyTorch step, so the comparison means something", name).isTrue();
        }
    }

    private static SafeTensors.Contents prefixed(SafeTensors.Contents all, String prefix) {
        Map<String, SafeTensor> out = new LinkedHashMap<>();
        all.tensors().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return new SafeTensors.Contents(out, Map.of());
    }
}
