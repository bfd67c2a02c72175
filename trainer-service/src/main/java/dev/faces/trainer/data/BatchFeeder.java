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
    /**
     * {@code count} images as uint8 NCHW pixels, as the shards store them. The training thread turns them
     * into [-1, 1] floats inside libtorch, so this thread does little more than copy bytes: CPU work here
     * would compete with the step's own threads.
     */
    public record Batch(byte[] pixels, int count) {
        /** ToTensor + Normalize(0.5, 0.5): {@code v / 127.5 - 1}, for callers outside libtorch. */
        public float[] normalised() {
            float[] out = new float[pixels.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (pixels[i] & 0xFF) / 127.5f - 1f;
            }
            return out;
        }
    }

    static final int IMAGE_BYTES = 3 * 64 * 64;
    private static final Batch END = new Batch(new byte[0], 0);

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
            List<Image> pending = new ArrayList<>();
            for (int start = 0; start < order.size() && !closed; start += window) {
                List<Image> images = new ArrayList<>(pending);
                pending.clear();
                for (DatasetBatch shard : order.subList(start, Math.min(order.size(), start + window))) {
                    try {
                        int skip = shard.shardIndex() == holdBack.shardIndex() ? holdBack.count() : 0;
                        NpyArray array = loader.load(shard);
                        for (int i = skip; i < array.shape()[0]; i++) {
                            images.add(new Image(array.data(), i));
                        }
                    } catch (RuntimeException e) {
                        onBadShard.accept(e.getMessage());
                    }
                }
                shuffle(images, random);
                boolean last = start + window >= order.size();
                int full = images.size() / batchSize * batchSize;
                int usable = last ? images.size() : full;
                for (int i = 0; i < usable && !closed; i += batchSize) {
                    List<Image> chunk = images.subList(i, Math.min(usable, i + batchSize));
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

    /** Image {@code index} of a shard's pixel array. */
    private record Image(byte[] shard, int index) {
    }

    /** The held-back images. */
    public static Batch heldBack(List<DatasetBatch> shards, ShardLoader loader, HoldBack holdBack) {
        for (DatasetBatch shard : shards) {
            if (shard.shardIndex() == holdBack.shardIndex() && holdBack.count() > 0) {
                byte[] data = loader.load(shard).data();
                return new Batch(java.util.Arrays.copyOf(data, holdBack.count() * IMAGE_BYTES), holdBack.count());
            }
        }
        return new Batch(new byte[0], 0);
    }

    private static Batch toBatch(List<Image> images) {
        byte[] pixels = new byte[images.size() * IMAGE_BYTES];
        for (int i = 0; i < images.size(); i++) {
            Image img = images.get(i);
            System.arraycopy(img.shard(), img.index() * IMAGE_BYTES, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
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
