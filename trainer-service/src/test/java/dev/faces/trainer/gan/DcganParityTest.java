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
 * Three consecutive training iterations against the tutorial's own code on PyTorch (fixture by
 * src/test/resources/parity/make_parity_fixture.py): the same initial weights, batches and latents must give
 * the same losses and D outputs at every iteration, the same weights, BN running statistics and counters after
 * the first and the third, and the same Adam moments after the third. Adam's first step moves every weight by
 * about lr whatever the gradient; the later ones are where gradient magnitudes, betas and eps show.
 */
class DcganParityTest {
    /** Float32 reductions in a different order differ by ~1e-6; Adam's first step moves weights by ~lr. */
    private static final float LOSS_TOLERANCE = 1e-4f;
    private static final float WEIGHT_TOLERANCE = 2e-5f;
    private static final int WIDTH = 8;

    @Test
    void threeIterationsMatchTheTutorialOnPyTorch() throws Exception {
        SafeTensors.Contents fixture;
        try (InputStream in = getClass().getResourceAsStream("/parity/parity.safetensors")) {
            fixture = SafeTensors.read(in.readAllBytes());
        }
        List<DcganLayers.Layer> gLayers = DcganLayers.generator(WIDTH);
        List<DcganLayers.Layer> dLayers = DcganLayers.discriminator(WIDTH);
        try (NDManager root = NDManager.newBaseManager();
             Net g = Net.load(root, gLayers, prefixed(fixture, "g0."));
             Net d = Net.load(root, dLayers, prefixed(fixture, "d0."))) {
            Adam adamG = Adam.tutorial(g, 0.0002, 0.5);
            Adam adamD = Adam.tutorial(d, 0.0002, 0.5);
            DcganStep step = new DcganStep(g, d, adamG, adamD);
            for (int k = 0; k < 3; k++) {
                DcganStep.Result result;
                try (NDManager batch = root.newSubManager()) {
                    NDArray real = batch.create(fixture.require("real." + k).floats(), new Shape(4, 3, 64, 64));
                    NDArray noise = batch.create(fixture.require("noise." + k).floats(), new Shape(4, 100));
                    result = step.run(real, noise);
                }
                float[] expected = fixture.require("result." + k).floats();
                String it = "iteration " + (k + 1) + ": ";
                assertThat(result.lossD()).as(it + "Loss_D").isCloseTo(expected[0], within(LOSS_TOLERANCE));
                assertThat(result.lossG()).as(it + "Loss_G").isCloseTo(expected[1], within(LOSS_TOLERANCE));
                assertThat(result.dx()).as(it + "D(x)").isCloseTo(expected[2], within(LOSS_TOLERANCE));
                assertThat(result.dgz1()).as(it + "D(G(z1))").isCloseTo(expected[3], within(LOSS_TOLERANCE));
                assertThat(result.dgz2()).as(it + "D(G(z2))").isCloseTo(expected[4], within(LOSS_TOLERANCE));
                if (k == 0) {
                    assertStateMatches(g.state(), prefixed(fixture, "g1.").tensors(), prefixed(fixture, "g0.").tensors());
                    assertStateMatches(d.state(), prefixed(fixture, "d1.").tensors(), prefixed(fixture, "d0.").tensors());
                }
            }
            assertStateMatches(g.state(), prefixed(fixture, "g3.").tensors(), prefixed(fixture, "g1.").tensors());
            assertStateMatches(d.state(), prefixed(fixture, "d3.").tensors(), prefixed(fixture, "d1.").tensors());
            assertMomentsMatch(adamG.state(""), prefixed(fixture, "adamG.").tensors());
            assertMomentsMatch(adamD.state(""), prefixed(fixture, "adamD.").tensors());
        }
    }

    /**
     * Adam's moments after three steps, to 1 % of each value plus 0.1 % of the tensor's largest: gradients summed
     * in another order differ most, relatively, where they are small. A wrong beta shifts them by tens of percent.
     */
    private static void assertMomentsMatch(Map<String, SafeTensor> actual, Map<String, SafeTensor> expected) {
        assertThat(expected).isNotEmpty();
        for (String name : expected.keySet()) {
            float[] a = actual.get(name).floats();
            float[] e = expected.get(name).floats();
            float largest = 0;
            for (float v : e) {
                largest = Math.max(largest, Math.abs(v));
            }
            for (int i = 0; i < e.length; i++) {
                assertThat(a[i]).as("%s[%d]", name, i).isCloseTo(e[i], within(1e-2f * Math.abs(e[i]) + 1e-3f * largest));
            }
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
