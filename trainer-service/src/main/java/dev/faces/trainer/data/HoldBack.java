package dev.faces.trainer.data;

import dev.faces.core.events.DatasetBatch;
import java.util.Arrays;
import java.util.List;

/**
 * The real images kept out of training to measure SWD against: the dataset's first {@code count} images in
 * shard-index order, whatever the shard sizes. The next {@code count} images (training images) are the other
 * real set of the real-vs-real floor, so both comparisons use sets of the same size.
 */
public record HoldBack(int count) {
    public static final HoldBack NONE = new HoldBack(0);

    /** At most a quarter of the dataset is held back, so a small dataset still trains on most of its images. */
    public static HoldBack of(List<DatasetBatch> shards, int requested) {
        int total = shards.stream().mapToInt(DatasetBatch::imageCount).sum();
        return new HoldBack(Math.max(0, Math.min(requested, total / 4)));
    }

    /** Images of {@code shard} (one of {@code shards}, in index order) that are held back: its first ones. */
    public int skipIn(List<DatasetBatch> shards, DatasetBatch shard) {
        int before = 0;
        for (DatasetBatch s : shards) {
            if (s.shardIndex().equals(shard.shardIndex())) {
                return Math.max(0, Math.min(s.imageCount(), count - before));
            }
            before += s.imageCount();
        }
        return 0;
    }

    public int trainingImages(List<DatasetBatch> shards) {
        return shards.stream().mapToInt(DatasetBatch::imageCount).sum() - count;
    }

    /** The held-back images. */
    public BatchFeeder.Batch heldBack(List<DatasetBatch> shards, BatchFeeder.ShardLoader loader) {
        return images(shards, loader, 0, count);
    }

    /** As many training images as are held back, for the real-vs-real floor. */
    public BatchFeeder.Batch floorSet(List<DatasetBatch> shards, BatchFeeder.ShardLoader loader) {
        return images(shards, loader, count, count);
    }

    /** Images {@code from .. from + n - 1} of the dataset in index order (fewer if it is shorter). */
    static BatchFeeder.Batch images(List<DatasetBatch> shards, BatchFeeder.ShardLoader loader, int from, int n) {
        byte[] out = new byte[n * BatchFeeder.IMAGE_BYTES];
        int filled = 0;
        int start = 0;
        for (DatasetBatch s : shards) {
            int end = start + s.imageCount();
            if (filled < n && end > from + filled) {
                byte[] data = loader.load(s).data();
                int first = from + filled - start;
                int take = Math.min(s.imageCount() - first, n - filled);
                System.arraycopy(data, first * BatchFeeder.IMAGE_BYTES, out, filled * BatchFeeder.IMAGE_BYTES,
                        take * BatchFeeder.IMAGE_BYTES);
                filled += take;
            }
            start = end;
        }
        return new BatchFeeder.Batch(filled == n ? out : Arrays.copyOf(out, filled * BatchFeeder.IMAGE_BYTES), filled);
    }
}
