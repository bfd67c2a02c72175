package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.DcganLayers;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A checkpoint holds the tutorial's full state_dicts and an Adam moment for every parameter. */
class SnapshotTest {

    @Test
    void snapshotHoldsTheTutorialStateDictsAndOptimiserState() throws Exception {
        TrainingLoop.Snapshot s;
        try (TrainingLoop loop = TrainingLoop.fresh(new HyperParameters(1, 128, 2e-4, 0.5, 999)).calibratingOn(1)) {
            s = loop.snapshot();
        }
        SafeTensors.Contents g = SafeTensors.read(s.generator());
        for (DcganLayers.TensorSpec spec : DcganLayers.stateDict(DcganLayers.GENERATOR)) {
            assertThat(g.require(spec.name()).shape()).as(spec.name()).containsExactly(spec.shape());
        }
        // Recalibrated BN statistics: far from the initial 0 / 1 after averaging over real activations.
        float[] var = g.require("main.1.running_var").floats();
        assertThat(Arrays.stream(toDouble(var)).average().orElse(1)).isNotCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
        SafeTensors.Contents d = SafeTensors.read(s.discriminator());
        assertThat(d.tensors()).hasSize(DcganLayers.stateDict(DcganLayers.DISCRIMINATOR).size());
        SafeTensors.Contents opt = SafeTensors.read(s.optimizer());
        assertThat(opt.tensors()).containsKeys("G.exp_avg.main.0.weight", "G.exp_avg_sq.main.12.weight",
                "D.exp_avg.main.11.weight", "G.step", "D.step", "progress.epoch", "progress.global_step", "rng.seed");
        assertThat(s.samplesPng()).startsWith(0x89, 'P', 'N', 'G');
        // G_ema: the tutorial's names and shapes too, with its own recalibrated BN statistics.
        SafeTensors.Contents ema = SafeTensors.read(s.generatorEma());
        for (DcganLayers.TensorSpec spec : DcganLayers.stateDict(DcganLayers.GENERATOR)) {
            assertThat(ema.require(spec.name()).shape()).as("ema " + spec.name()).containsExactly(spec.shape());
        }
        assertThat(Arrays.stream(toDouble(ema.require("main.1.running_var").floats())).average().orElse(1))
                .isNotCloseTo(1.0, org.assertj.core.data.Offset.offset(0.05));
        assertThat(s.samplesEmaPng()).startsWith(0x89, 'P', 'N', 'G');

        // Left in target/ for scripts/load_in_pytorch.py (see docs/TRAINER.md).
        Path out = Path.of("target", "checkpoint-sample");
        Files.createDirectories(out);
        Files.write(out.resolve("generator.safetensors"), s.generator());
        Files.write(out.resolve("discriminator.safetensors"), s.discriminator());
        Files.write(out.resolve("generator-ema.safetensors"), s.generatorEma());
        assertThat(SafeTensor.DType.I64).isEqualTo(g.require("main.1.num_batches_tracked").dtype());
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
