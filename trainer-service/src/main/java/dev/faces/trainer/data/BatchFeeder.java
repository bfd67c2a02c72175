package dev.faces.trainer.data;

import dev.faces.core.Latents;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.NpyArray;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * One epoch's batches, prepared ahead on a background thread so a training step never waits on S3, disk or
 * pixel conversion. The order is a function of (seed, epoch) only: shards are shuffled, then images are
 * shuffled within a window of shards, which bounds memory while mixing across shards. The last batch of
 * an epoch may be smaller, as with the tutorial's DataLoader.
 */
public final class BatchFeeder implements AutoCloseable {
    /** Pixels in [-1, 1], NCHW, {@code count} images. */
    public record Batch(float[] pixels, int count) {
    }

    private static final Batch END = new Batch(new float[0], 0);

    private final BlockingQueue<Object> queue;
    private final HoldBack holdBack;
    private final Thread worker;
    private volatile boolean closed;

    /**
     * @param shards       the dataset's shards in index order
     * @param loader       reads a shard (through the cache)
     * @param window       shards mixed together
     * @param prefetch     batches prepared ahead
     * @param skipBatches  batches of this epoch already trained (resume inside an epoch)
     * @param onBadShard   told about a shard that cannot be used; the epoch goes on without it
     */
    public BatchFeeder(List<DatasetBatch> shards, ShardLoader loader, HoldBack holdBack, long seed, int epoch,
                       int batchSize, int window, int prefetch, int skipBatches, Consumer<String> onBadShard) {
        this.holdBack = holdBack;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, prefetch));
        this.worker = new Thread(() -> produce(shards, loader, seed, epoch, batchSize, Math.max(1, window),
                skipBatches, onBadShard), "batch-feeder-e" + epoch);
        worker.setDaemon(true);
        worker.start();
    }

    /** The first {@code count} images of shard {@code shardIndex} are kept out of training (for SWD). */
    public record HoldBack(int shardIndex, int count) {
        public static final HoldBack NONE = new HoldBack(-1, 0);

        /** Holds back up to {@code count} images of the last shard, leaving it at least one image to train on. */
        public static HoldBack fromLastShard(List<DatasetBatch> shards, int count) {
            if (shards.isEmpty() || count <= 0) {
                return NONE;
            }
            DatasetBatch last = shards.get(shards.size() - 1);
            return new HoldBack(last.shardIndex(), Math.min(count, last.imageCount() - 1));
        }

        public int trainingImages(List<DatasetBatch> shards) {
            return shards.stream().mapToInt(DatasetBatch::imageCount).sum() - Math.max(0, count);
        }
    }

    @FunctionalInterface
    public interface ShardLoader {
        NpyArray load(DatasetBatch shard);
    }

    /** The number of batches an epoch over these shards has. */
    public static int batchesPerEpoch(int images, int batchSize) {
        return (images + batchSize - 1) / batchSize;
    }

    /** The next batch, or null at the end of the epoch. */
    public Batch next() throws InterruptedException {
        Object item = queue.take();
        if (item instanceof RuntimeException e) {
            throw e;
        }
        return item == END ? null : (Batch) item;
    }

    private void produce(List<DatasetBatch> shards, ShardLoader loader, long seed, int epoch, int batchSize,
                         int window, int skipBatches, Consumer<String> onBadShard) {
        try {
            SplittableRandom random = new SplittableRandom(Latents.derive(seed, epoch, 0x5EED));
            List<DatasetBatch> order = new ArrayList<>(shards);
            shuffle(order, random);
            int emitted = 0;
            List<byte[]> pending = new ArrayList<>();
            for (int start = 0; start < order.size() && !closed; start += window) {
                List<byte[]> images = new ArrayList<>(pending);
                pending.clear();
                for (DatasetBatch shard : order.subList(start, Math.min(order.size(), start + window))) {
                    try {
                        int skip = shard.shardIndex() == holdBack.shardIndex() ? holdBack.count() : 0;
                        split(loader.load(shard), skip, images);
                    } catch (RuntimeException e) {
                        onBadShard.accept(e.getMessage());
                    }
                }
                shuffle(images, random);
                boolean last = start + window >= order.size();
                int full = images.size() / batchSize * batchSize;
                int usable = last ? images.size() : full;
                for (int i = 0; i < usable && !closed; i += batchSize) {
                    List<byte[]> chunk = images.subList(i, Math.min(usable, i + batchSize));
                    if (emitted++ >= skipBatches) {
                        queue.put(toBatch(chunk));
                    }
                }
                if (!last) {
                    pending.addAll(images.subList(full, images.size()));
                }
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            queue.offer(e);
        }
    }

    private static void split(NpyArray shard, int skip, List<byte[]> into) {
        int per = 3 * shard.shape()[2] * shard.shape()[3];
        byte[] data = shard.data();
        for (int i = skip; i < shard.shape()[0]; i++) {
            byte[] img = new byte[per];
            System.arraycopy(data, i * per, img, 0, per);
            into.add(img);
        }
    }

    /** The held-back images as pixels in [-1, 1]. */
    public static Batch heldBack(List<DatasetBatch> shards, ShardLoader loader, HoldBack holdBack) {
        for (DatasetBatch shard : shards) {
            if (shard.shardIndex() == holdBack.shardIndex() && holdBack.count() > 0) {
                List<byte[]> images = new ArrayList<>();
                split(loader.load(shard), 0, images);
                return toBatch(images.subList(0, holdBack.count()));
            }
        }
        return new Batch(new float[0], 0);
    }

    private static Batch toBatch(List<byte[]> images) {
        int per = images.get(0).length;
        float[] pixels = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            byte[] img = images.get(i);
            for (int j = 0; j < per; j++) {
                pixels[i * per + j] = (img[j] & 0xFF) / 127.5f - 1f; // ToTensor + Normalize(0.5, 0.5)
            }
        }
        return new Batch(pixels, images.size());
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        queue.clear();
    }
}
