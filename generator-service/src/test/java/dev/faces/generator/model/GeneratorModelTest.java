package dev.faces.generator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.faces.core.DcganLayers;
import dev.faces.core.Latents;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.core.tensor.TensorFormatException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class GeneratorModelTest {

    /** Fixture written by trainer-service's DjlForwardFixtureTest: weights, latents and DJL's eval output. */
    @Test
    void matchesTheTrainersDjlForwardWithin1e4() throws Exception {
        SafeTensors.Contents fixture;
        try (InputStream in = getClass().getResourceAsStream("/parity/djl-forward.safetensors")) {
            fixture = SafeTensors.read(in.readAllBytes());
        }
        GeneratorModel model = GeneratorModel.load(fixture);
        assertThat(model.ngf()).isEqualTo(8);
        float[] z = fixture.require("latents").floats();
        float[] expected = fixture.require("output").floats();
        int n = z.length / Latents.DIM;
        for (ForkJoinPool pool : new ForkJoinPool[] {null, new ForkJoinPool(2)}) {
            float[] out = model.generate(z, n, pool);
            float maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(out[i] - expected[i]));
            }
            assertThat(maxDiff).isLessThan(1e-4f);
        }
        // one latent alone gives the same face as in a batch: eval-mode BN does not mix images
        float[] one = model.generate(java.util.Arrays.copyOfRange(z, Latents.DIM, 2 * Latents.DIM), 1, null);
        for (int i = 0; i < one.length; i++) {
            assertThat(one[i]).isCloseTo(expected[3 * 64 * 64 + i], within(1e-4f));
        }
    }

    /** Full width against the definition of ConvTranspose2d + BatchNorm(eval) + ReLU/Tanh, one image. */
    @Test
    void fullWidthMatchesTheDefinition() {
        Map<String, SafeTensor> state = randomState(new Random(3));
        GeneratorModel model = GeneratorModel.load(new SafeTensors.Contents(state, Map.of()));
        float[] z = Latents.of(9, 1);
        float[] out = model.generate(z, 1, new ForkJoinPool(2));
        float[] ref = Reference.forward(state, z);
        for (int i = 0; i < ref.length; i += 7) {
            assertThat(out[i]).as("pixel %d", i).isCloseTo(ref[i], within(1e-4f));
        }
    }

    /**
     * The Vector API pass against the plain-Java one, alternating two widths on one thread: its reused activations
     * keep zero borders only if a buffer that held the other model's layout is cleared (it was not, at first).
     */
    @Test
    void theVectorPassMatchesThePlainPassWhicheverModelRanBefore() {
        GeneratorModel wide = GeneratorModel.load(new SafeTensors.Contents(randomState(new Random(3)), Map.of()));
        GeneratorModel narrow = GeneratorModel.load(new SafeTensors.Contents(randomState(new Random(4), 8), Map.of()));
        ForkJoinPool pool = new ForkJoinPool(2);
        for (int n : new int[] {1, 7, 13}) {
            for (GeneratorModel model : new GeneratorModel[] {narrow, wide}) {
                float[] z = Latents.of(n, n);
                float[] vector = model.generate(z, n, pool);
                float[] plain = model.plainGenerate(z, n, null);
                for (int i = 0; i < plain.length; i++) {
                    assertThat(vector[i]).as("ngf %d, %d faces, value %d", model.ngf(), n, i)
                            .isCloseTo(plain[i], within(1e-5f));
                }
            }
        }
        pool.shutdown();
    }

    @Test
    void rejectsWrongShapesMissingTensorsAndNaN() {
        Map<String, SafeTensor> state = randomState(new Random(1));
        state.put("main.3.weight", SafeTensor.f32(new float[16], 1, 1, 4, 4));
        assertThatThrownBy(() -> GeneratorModel.load(new SafeTensors.Contents(state, Map.of())))
                .isInstanceOf(TensorFormatException.class).hasMessageContaining("tensor 'main.3.weight' is F32 [1, 1, 4, 4], expected F32 [512, 256, 4, 4]");
        Map<String, SafeTensor> missing = randomState(new Random(1));
        missing.remove("main.4.running_var");
        assertThatThrownBy(() -> GeneratorModel.load(new SafeTensors.Contents(missing, Map.of())))
                .hasMessage("tensor 'main.4.running_var' is missing");
        Map<String, SafeTensor> nan = randomState(new Random(1));
        nan.put("main.1.bias", SafeTensor.f32(nanArray(512), 512));
        assertThatThrownBy(() -> GeneratorModel.load(new SafeTensors.Contents(nan, Map.of())))
                .hasMessage("tensor 'main.1.bias' holds NaN or infinite values");
    }

    private static float[] nanArray(int n) {
        float[] a = new float[n];
        a[n / 2] = Float.NaN;
        return a;
    }

    static Map<String, SafeTensor> randomState(Random random) {
        return randomState(random, DcganLayers.NGF);
    }

    static Map<String, SafeTensor> randomState(Random random, int ngf) {
        Map<String, SafeTensor> state = new LinkedHashMap<>();
        for (DcganLayers.TensorSpec spec : DcganLayers.stateDict(DcganLayers.generator(ngf))) {
            if (spec.dtype() == SafeTensor.DType.I64) {
                state.put(spec.name(), SafeTensor.i64(new long[] {5}, new long[0]));
                continue;
            }
            float[] v = new float[(int) spec.elementCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (spec.name().substring(spec.name().lastIndexOf('.') + 1)) {
                    case "running_var" -> 0.5f + random.nextFloat();
                    case "running_mean", "bias" -> (float) (0.1 * random.nextGaussian());
                    default -> spec.shape().length == 1 ? (float) (1 + 0.1 * random.nextGaussian())
                            : (float) (0.02 * random.nextGaussian());
                };
            }
            state.put(spec.name(), SafeTensor.f32(v, spec.shape()));
        }
        return state;
    }
}
