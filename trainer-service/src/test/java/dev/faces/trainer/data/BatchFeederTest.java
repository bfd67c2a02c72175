package dev.faces.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.NpyArray;
import java.util.ArrayList;
import java.util.List;
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

    private static List<Integer> epoch(List<DatasetBatch> shards, BatchFeeder.HoldBack hold, int epoch, int skip,
                                       List<Integer> batchSizes, List<String> bad) throws Exception {
        List<Integer> ids = new ArrayList<>();
        BatchFeeder.ShardLoader loader = shard -> {
            if (shard.shardIndex() == 3) {
                throw new IllegalStateException("shard 3 is corrupt");
            }
            return LOADER.load(shard);
        };
        try (BatchFeeder f = new BatchFeeder(shards, loader, hold, 7, epoch, 4, 2, 2, skip, bad::add)) {
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
        BatchFeeder.HoldBack hold = BatchFeeder.HoldBack.fromLastShard(shards, 2);
        List<Integer> sizes = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        List<Integer> e1 = epoch(shards, hold, 1, 0, sizes, bad);
        // shard 3 is corrupt and skipped with its reason; shard 4's first two images are held back
        List<Integer> expected = new ArrayList<>();
        for (int s : new int[] {0, 1, 2, 4}) {
            for (int i = s == 4 ? 2 : 0; i < 6; i++) {
                expected.add(s * 10 + i);
            }
        }
        assertThat(e1).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(bad).containsExactly("shard 3 is corrupt");
        assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(n -> n == 4);
        assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(22);

        assertThat(epoch(shards, hold, 1, 0, new ArrayList<>(), new ArrayList<>())).containsExactlyElementsOf(e1);
        List<Integer> e2 = epoch(shards, hold, 2, 0, new ArrayList<>(), new ArrayList<>());
        assertThat(e2).containsExactlyInAnyOrderElementsOf(expected).isNotEqualTo(e1);
        // resuming inside an epoch skips exactly the batches already trained
        assertThat(epoch(shards, hold, 1, 2, new ArrayList<>(), new ArrayList<>())).containsExactlyElementsOf(e1.subList(8, e1.size()));
    }

    @Test
    void heldBackImagesAreTheFirstOfTheLastShard() {
        List<DatasetBatch> shards = shards(2, 5);
        BatchFeeder.HoldBack hold = BatchFeeder.HoldBack.fromLastShard(shards, 3);
        BatchFeeder.Batch held = BatchFeeder.heldBack(shards, LOADER, hold);
        assertThat(held.count()).isEqualTo(3);
        assertThat(held.pixels()[2 * BatchFeeder.IMAGE_BYTES]).isEqualTo((byte) 12);
        assertThat(held.normalised()[0]).isEqualTo(10 / 127.5f - 1f);
        assertThat(hold.trainingImages(shards)).isEqualTo(7);
        assertThat(BatchFeeder.HoldBack.fromLastShard(shards(1, 2), 100).count()).isEqualTo(1);
    }
}
