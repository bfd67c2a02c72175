package dev.faces.trainer.data;

import dev.faces.core.Latents;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.NpyArray;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One epoch's batches, prepared ahead on a background thread so a training step never waits on S3, disk or
 * pixel conversion. The order is a function of (seed, epoch) only: shards are shuffled, then images are
 * shuffled within a window of shards, which bounds memory while mixing across shards. The last batch of
 * an epoch may be smaller, as with the tutorial's DataLoader.
 *
 * <p>Nothing is skipped in silence: a shard that storage cannot deliver is waited for (the run pauses while S3
 * is away), and a shard that is wrong ends the epoch with an error that names it.
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
    private static final Logger LOG = Logger.getLogger(BatchFeeder.class.getName());
    private static final Batch END = new Batch(new byte[0], 0);
    private static final long MAX_STORAGE_WAIT_MS = 30_000;

    private final BlockingQueue<Batch> queue;
    private final HoldBack holdBack;
    private final Thread worker;
    private volatile boolean closed;
    private volatile Throwable failure;

    /**
     * @param shards       the dataset's shards in index order
     * @param loader       reads a shard (through the cache)
     * @param window       shards mixed together
     * @param prefetch     batches prepared ahead
     * @param skipBatches  batches of this epoch already trained (resume inside an epoch)
     */
    public BatchFeeder(List<DatasetBatch> shards, ShardLoader loader, HoldBack holdBack, long seed, int epoch,
                       int batchSize, int window, int prefetch, int skipBatches) {
        this.holdBack = holdBack;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, prefetch));
        this.worker = new Thread(() -> produce(shards, loader, seed, epoch, batchSize, Math.max(1, window),
                skipBatches), "batch-feeder-e" + epoch);
        worker.setDaemon(true);
        worker.start();
    }

    @FunctionalInterface
    public interface ShardLoader {
        NpyArray load(DatasetBatch shard);
    }

    /** The number of batches an epoch over these shards has. */
    public static int batchesPerEpoch(int images, int batchSize) {
        return (images + batchSize - 1) / batchSize;
    }

    /** A shard that cannot be trained on; the message names it. */
    public static final class FeedException extends RuntimeException {
        FeedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The next batch, or null at the end of the epoch; throws {@link FeedException} if the feed failed. */
    public Batch next() throws InterruptedException {
        while (true) {
            Batch item = queue.poll(200, TimeUnit.MILLISECONDS);
            if (item != null) {
                return item == END ? null : item;
            }
            Throwable f = failure;
            if (f != null) {
                throw new FeedException(f instanceof RuntimeException && f.getMessage() != null ? f.getMessage()
                        : "batch feeder failed: " + f, f);
            }
            if (!worker.isAlive() && queue.isEmpty()) {
                throw new FeedException("batch feeder stopped without finishing the epoch", null);
            }
        }
    }

    private void produce(List<DatasetBatch> shards, ShardLoader loader, long seed, int epoch, int batchSize,
                         int window, int skipBatches) {
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
                    int skip = holdBack.skipIn(shards, shard);
                    NpyArray array = loadWaitingForStorage(loader, shard);
                    if (array == null) {
                        return; // closed while waiting
                    }
                    for (int i = skip; i < array.shape()[0]; i++) {
                        images.add(new Image(array.data(), i));
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
        } catch (Throwable e) { // an Error too: the training thread must hear of it, not wait forever
            failure = e;
        }
    }

    /** Loads a shard; while storage is unreachable, waits and tries again until it answers or the feed closes. */
    private NpyArray loadWaitingForStorage(ShardLoader loader, DatasetBatch shard) throws InterruptedException {
        long waitMs = 1000;
        while (!closed) {
            try {
                return loader.load(shard);
            } catch (dev.faces.core.ObjectStore.StorageException e) {
                LOG.warning("shard " + shard.objectKey() + " is unreachable (" + e.getMessage() + "); training waits "
                        + waitMs / 1000 + " s for storage");
                Thread.sleep(waitMs);
                waitMs = Math.min(MAX_STORAGE_WAIT_MS, waitMs * 2);
            }
        }
        return null;
    }

    /** Image {@code index} of a shard's pixel array. */
    private record Image(byte[] shard, int index) {
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
