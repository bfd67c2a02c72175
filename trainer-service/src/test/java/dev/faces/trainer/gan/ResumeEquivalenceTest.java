package dev.faces.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.NpyArray;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.trainer.data.BatchFeeder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A run stopped mid-epoch and resumed from its step checkpoint ends exactly where an uninterrupted run does. */
class ResumeEquivalenceTest {
    private static final HyperParameters HYPER = new HyperParameters(1, 4, 2e-4, 0.5, 42);

    @Test
    void resumingFromAStepCheckpointContinuesExactly() throws Exception {
        TrainingLoop.Snapshot straight = train(null);

        AtomicReference<TrainingLoop.Snapshot> saved = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        StepCheckpoints every2 = new StepCheckpoints() {
            @Override
            public int every() {
                return 2;
            }

            @Override
            public void save(int epoch, int batchesDone, TrainingLoop.Snapshot state) {
                assertThat(batchesDone).isEqualTo(2);
                saved.set(state);
                stop.set(true);
            }
        };
        try (TrainingLoop first = TrainingLoop.fresh(HYPER).calibratingOn(1)) {
            assertThat(first.run(data(), List.of(), stop::get, every2)).isEqualTo(TrainingLoop.Outcome.STOPPED);
        }
        TrainingLoop.Snapshot resumed = train(saved.get());

        assertSameState(resumed.generator(), straight.generator());
        assertSameState(resumed.discriminator(), straight.discriminator());
    }

    @Test
    void aStopRequestSavesTheStepReachedAndResumingFromItContinuesExactly() throws Exception {
        TrainingLoop.Snapshot straight = train(null);

        AtomicReference<TrainingLoop.Snapshot> saved = new AtomicReference<>();
        List<Integer> savedAt = new ArrayList<>();
        StepCheckpoints onStopOnly = new StepCheckpoints() {
            @Override
            public int every() {
                return 0; // no periodic state: only the stop (a SIGTERM, a lost lease) saves
            }

            @Override
            public void save(int epoch, int batchesDone, TrainingLoop.Snapshot state) {
                savedAt.add(batchesDone);
                saved.set(state);
            }
        };
        int[] steps = {0};
        TrainingListener counter = new TrainingListener() {
            @Override
            public void onStep(StepInfo s) {
                steps[0]++;
            }
        };
        try (TrainingLoop first = TrainingLoop.fresh(HYPER).calibratingOn(1)) {
            assertThat(first.run(data(), List.of(counter), () -> steps[0] == 2, onStopOnly))
                    .isEqualTo(TrainingLoop.Outcome.STOPPED);
        }
        assertThat(savedAt).containsExactly(2);
        assertThat(SafeTensors.read(saved.get().generator()).metadata()).containsEntry("global_step", "2");
        TrainingLoop.Snapshot resumed = train(saved.get());

        assertSameState(resumed.generator(), straight.generator());
        assertSameState(resumed.discriminator(), straight.discriminator());
    }

    private static TrainingLoop.Snapshot train(TrainingLoop.Snapshot from) throws InterruptedException {
        List<TrainingLoop.Snapshot> epochs = new ArrayList<>();
        TrainingListener capture = new TrainingListener() {
            @Override
            public void onEpoch(EpochInfo e) {
                epochs.add(e.snapshot());
            }
        };
        try (TrainingLoop loop = (from == null ? TrainingLoop.fresh(HYPER) : TrainingLoop.resume(HYPER, from)).calibratingOn(1)) {
            if (from != null) {
                assertThat(loop.batchesDone()).isEqualTo(2);
            }
            assertThat(loop.run(data(), List.of(capture), () -> false)).isEqualTo(TrainingLoop.Outcome.COMPLETED);
        }
        assertThat(epochs).hasSize(1);
        return epochs.get(0);
    }

    private static void assertSameState(byte[] actual, byte[] expected) {
        SafeTensors.Contents a = SafeTensors.read(actual);
        SafeTensors.Contents e = SafeTensors.read(expected);
        for (var entry : e.tensors().entrySet()) {
            SafeTensor t = a.require(entry.getKey());
            if (t.dtype() == SafeTensor.DType.I64) {
                assertThat(t.longs()).as(entry.getKey()).containsExactly(entry.getValue().longs());
                continue;
            }
            float[] af = t.floats();
            float[] ef = entry.getValue().floats();
            for (int i = 0; i < ef.length; i += 97) {
                assertThat(af[i]).as("%s[%d]", entry.getKey(), i).isCloseTo(ef[i], within(1e-6f));
            }
        }
    }

    private static TrainingData data() {
        List<DatasetBatch> shards = List.of(new DatasetBatch("d", 0, "a", 8, 64, "0".repeat(64), 1L),
                new DatasetBatch("d", 1, "b", 8, 64, "0".repeat(64), 1L));
        BatchFeeder.ShardLoader loader = shard -> {
            byte[] px = new byte[8 * 3 * 64 * 64];
            new Random(shard.shardIndex()).nextBytes(px);
            return NpyArray.uint8(px, 8, 3, 64, 64);
        };
        return new TrainingData() {
            @Override
            public int batchesPerEpoch() {
                return 4;
            }

            @Override
            public BatchFeeder open(int epoch, int skip) {
                return new BatchFeeder(shards, loader, dev.faces.trainer.data.HoldBack.NONE, HYPER.seed(), epoch, 4, 2, 2, skip);
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
