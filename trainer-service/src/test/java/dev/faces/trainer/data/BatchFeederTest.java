package dev.faces.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.ObjectStore;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.NpyArray;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchFeederTest {
    private static final String SHA = "0".repeat(64);

    /** Shard s holds images whose first byte is s*10 + i: each image is identifiable. */
    private static final BatchFeeder.ShardLoader LOADER = shard -> {
        byte[] px = new byte[shard.imageCount() * BatchFeeder.IMAGE_BYTES];
        for (int i = 0; i < shard.imageCount(); i++) {
            px[i * BatchFeeder.IMAGE_BYTES] = (byte) (shard.shardIndex() * 10 + i);
        }
        return NpyArray.uint8(px, shard.imageCount(), 3, 64, 64);
    };

    private static List<DatasetBatch> shards(int count, int images) {
        List<DatasetBatch> out = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            out.add(new DatasetBatch("d", s, "k" + s, images, 64, SHA, 1L));
        }
        return out;
    }

    private static List<Integer> epoch(List<DatasetBatch> shards, BatchFeeder.ShardLoader loader, HoldBack hold,
                                       int epoch, int skip, List<Integer> batchSizes) throws Exception {
        List<Integer> ids = new ArrayList<>();
        try (BatchFeeder f = new BatchFeeder(shards, loader, hold, 7, epoch, 4, 2, 2, skip)) {
            for (BatchFeeder.Batch b = f.next(); b != null; b = f.next()) {
                batchSizes.add(b.count());
                for (int i = 0; i < b.count(); i++) {
                    ids.add((int) b.pixels()[i * BatchFeeder.IMAGE_BYTES]);
                }
            }
        }
        return ids;
    }

    @Test
    void everyImageOnceAnEpochInASeededOrderWithoutTheHeldBackOnes() throws Exception {
        List<DatasetBatch> shards = shards(5, 6);
        HoldBack hold = HoldBack.of(shards, 7); // spans shard 0 and the first image of shard 1
        List<Integer> sizes = new ArrayList<>();
        List<Integer> e1 = epoch(shards, LOADER, hold, 1, 0, sizes);
        List<Integer> expected = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            for (int i = s == 0 ? 6 : s == 1 ? 1 : 0; i < 6; i++) {
                expected.add(s * 10 + i);
            }
        }
        assertThat(e1).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(n -> n == 4);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(23).isEqualTo(hold.trainingImages(shards));

        assertThat(epoch(shards, LOADER, hold, 1, 0, new ArrayList<>())).containsExactlyElementsOf(e1);
        List<Integer> e2 = epoch(shards, LOADER, hold, 2, 0, new ArrayList<>());
        assertThat(e2).containsExactlyInAnyOrderElementsOf(expected).isNotEqualTo(e1);
        // resuming inside an epoch skips exactly the batches already trained
        assertThat(epoch(shards, LOADER, hold, 1, 2, new ArrayList<>())).containsExactlyElementsOf(e1.subList(8, e1.size()));
    }

    @Test
    void aWrongShardFailsTheEpochNamingIt() {
        BatchFeeder.ShardLoader loader = shard -> {
            if (shard.shardIndex() == 3) {
                throw new ShardCache.CorruptShardException("shard k3 has sha256 abc but its event announced def");
            }
            return LOADER.load(shard);
        };
        assertThatThrownBy(() -> epoch(shards(5, 6), loader, HoldBack.NONE, 1, 0, new ArrayList<>()))
                .isInstanceOf(BatchFeeder.FeedException.class).hasMessageContaining("shard k3 has sha256");
    }

    @Test
    void anErrorOnTheFeederThreadReachesTheTrainingThread() {
        BatchFeeder.ShardLoader loader = shard -> {
            throw new OutOfMemoryError("Java heap space");
        };
        assertThatThrownBy(() -> epoch(shards(2, 6), loader, HoldBack.NONE, 1, 0, new ArrayList<>()))
                .isInstanceOf(BatchFeeder.FeedException.class).hasMessageContaining("Java heap space");
    }

    @Test
    void storageAwayIsWaitedForAndNoShardIsSkipped() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        BatchFeeder.ShardLoader flaky = shard -> {
            if (shard.shardIndex() == 1 && failures.getAndIncrement() < 2) {
                throw new ObjectStore.StorageException("S3 unreachable", null);
            }
            return LOADER.load(shard);
        };
        List<DatasetBatch> shards = shards(3, 6);
        List<Integer> ids = epoch(shards, flaky, HoldBack.NONE, 1, 0, new ArrayList<>());
        assertThat(failures.get()).isEqualTo(3);
        assertThat(ids).containsExactlyElementsOf(epoch(shards, LOADER, HoldBack.NONE, 1, 0, new ArrayList<>()));
    }

    @Test
    void heldBackImagesAreTheDatasetsFirstWhateverTheShardSizes() {
        List<DatasetBatch> shards = List.of(new DatasetBatch("d", 0, "k0", 2, 64, SHA, 1L),
                new DatasetBatch("d", 1, "k1", 5, 64, SHA, 1L), new DatasetBatch("d", 2, "k2", 9, 64, SHA, 1L));
        HoldBack hold = HoldBack.of(shards, 4);
        BatchFeeder.Batch held = hold.heldBack(shards, LOADER);
        assertThat(held.count()).isEqualTo(4);
        assertThat(ids(held)).containsExactly(0, 1, 10, 11);
        assertThat(ids(hold.floorSet(shards, LOADER))).containsExactly(12, 13, 14, 20);
        assertThat(held.normalised()[0]).isEqualTo(-1f);
        assertThat(hold.trainingImages(shards)).isEqualTo(12);
        assertThat(HoldBack.of(shards, 512).count()).as("at most a quarter of the dataset").isEqualTo(4);
    }

    private static List<Integer> ids(BatchFeeder.Batch b) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < b.count(); i++) {
            out.add((int) b.pixels()[i * BatchFeeder.IMAGE_BYTES]);
        }
        return out;
    }
}
