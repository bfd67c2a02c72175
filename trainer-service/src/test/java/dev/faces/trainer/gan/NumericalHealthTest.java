package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.faces.core.DcganLayers;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.NpyArray;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.trainer.data.BatchFeeder;
import dev.faces.trainer.data.HoldBack;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A non-finite loss ends the run before anything is published; gradients are zeroed by a fill. */
class NumericalHealthTest {
    private static final HyperParameters HYPER = new HyperParameters(2, 4, 2e-4, 0.5, 42);

    @Test
    void aNonFiniteLossFailsTheRunAndReachesNoCheckpoint() throws Exception {
        TrainingLoop.Snapshot healthy;
        try (TrainingLoop loop = TrainingLoop.fresh(HYPER).calibratingOn(1)) {
            healthy = loop.snapshot();
        }
        TrainingLoop.Snapshot poisoned = new TrainingLoop.Snapshot(healthy.generator(),
                withOneNaN(healthy.discriminator(), "main.0.weight"), healthy.optimizer(), null);
        List<Integer> epochs = new ArrayList<>();
        List<Long> steps = new ArrayList<>();
        TrainingListener spy = new TrainingListener() {
            @Override
            public void onStep(StepInfo s) {
                steps.add(s.globalStep());
            }

            @Override
            public void onEpoch(EpochInfo e) {
                epochs.add(e.epoch());
            }
        };
        try (TrainingLoop loop = TrainingLoop.warmStart(HYPER, poisoned, ai.djl.Device.cpu()).calibratingOn(1)) {
            assertThatThrownBy(() -> loop.run(data(), List.of(spy), () -> false))
                    .isInstanceOf(DivergedException.class)
                    .hasMessageStartingWith("diverged: non-finite loss at epoch 1, step 1");
        }
        assertThat(steps).as("listeners never see the non-finite step").isEmpty();
        assertThat(epochs).as("no epoch checkpoint from a non-finite state").isEmpty();
        // the same warm start without the NaN trains
        try (TrainingLoop loop = TrainingLoop.warmStart(HYPER, healthy, ai.djl.Device.cpu()).calibratingOn(1)) {
            assertThat(loop.run(data(), List.of(spy), () -> false)).isEqualTo(TrainingLoop.Outcome.COMPLETED);
        }
        assertThat(epochs).containsExactly(1, 2);
    }

    /**
     * A NaN that reaches G's weights after the last step of an epoch (the losses of that step were finite): the
     * run ends diverged, naming the tensor and the step, before any listener sees the epoch, so neither
     * checkpoint.json nor a checkpoint event is written. The same run without the NaN publishes its epoch.
     */
    @Test
    void aNonFiniteWeightAfterTheLastStepFailsTheRunBeforeAnyCheckpoint() throws Exception {
        HyperParameters oneEpoch = new HyperParameters(1, 4, 2e-4, 0.5, 42);
        for (boolean plant : new boolean[] {false, true}) {
            List<Integer> epochs = new ArrayList<>();
            try (TrainingLoop loop = TrainingLoop.fresh(oneEpoch, ai.djl.Device.cpu()).calibratingOn(1)) {
                TrainingListener planter = new TrainingListener() {
                    @Override
                    public void onStep(StepInfo s) {
                        if (plant && s.batch() == s.batchesPerEpoch()) {
                            loop.generatorNet().get("main.12.weight").set(new ai.djl.ndarray.index.NDIndex("0, 0, 1, 2"),
                                    Float.NaN);
                        }
                    }

                    @Override
                    public void onEpoch(EpochInfo e) {
                        epochs.add(e.epoch());
                    }
                };
                if (plant) {
                    assertThatThrownBy(() -> loop.run(data(), List.of(planter), () -> false))
                            .isInstanceOf(DivergedException.class)
                            .hasMessage("diverged: non-finite G main.12.weight after step 2");
                } else {
                    assertThat(loop.run(data(), List.of(planter), () -> false)).isEqualTo(TrainingLoop.Outcome.COMPLETED);
                }
            }
            assertThat(epochs).as("epochs published, NaN planted: %s", plant).isEqualTo(plant ? List.of() : List.of(1));
        }
    }

    @Test
    void zeroGradClearsANaNGradient() {
        try (NDManager root = NDManager.newBaseManager()) {
            Net d = Net.initialise(root, DcganLayers.DISCRIMINATOR, new Random(1));
            try (NDManager m = root.newSubManager(); GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray p = d.parameters().get(0);
                c.backward(p.mul(Float.NaN).sum());
            }
            assertThat(Float.isNaN(d.parameters().get(0).getGradient().toFloatArray()[0])).isTrue();
            d.zeroGrad();
            for (NDArray p : d.parameters()) {
                for (float g : p.getGradient().toFloatArray()) {
                    assertThat(g).isZero();
                }
            }
        }
    }

    private static byte[] withOneNaN(byte[] safetensors, String name) {
        SafeTensors.Contents c = SafeTensors.read(safetensors);
        Map<String, SafeTensor> tensors = new LinkedHashMap<>(c.tensors());
        SafeTensor t = tensors.get(name);
        float[] values = t.floats().clone();
        values[0] = Float.NaN;
        tensors.put(name, SafeTensor.f32(values, t.shape()));
        return SafeTensors.write(tensors, c.metadata());
    }

    private static TrainingData data() {
        List<DatasetBatch> shards = List.of(new DatasetBatch("d", 0, "a", 8, 64, "0".repeat(64), 1L));
        BatchFeeder.ShardLoader loader = shard -> {
            byte[] px = new byte[8 * 3 * 64 * 64];
            new Random(shard.shardIndex()).nextBytes(px);
            return NpyArray.uint8(px, 8, 3, 64, 64);
        };
        return new TrainingData() {
            @Override
            public int batchesPerEpoch() {
                return 2;
            }

            @Override
            public BatchFeeder open(int epoch, int skip) {
                return new BatchFeeder(shards, loader, HoldBack.NONE, HYPER.seed(), epoch, 4, 1, 2, skip);
            }

            @Override
            public BatchFeeder.Batch heldBack() {
                return new BatchFeeder.Batch(new byte[0], 0);
            }

            @Override
            public double swdFloor() {
                return Double.NaN;
            }
        };
    }
}
