package dev.faces.ingest.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.events.DatasetBatch;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Shards written to S3 by {@link #WRITERS} threads at once while the workers go on preprocessing, and announced
 * one by one in index order by a thread of their own. One writer was the ingest's bottleneck: a shard's PUT waits
 * on the S3 server about as long as two cores take to preprocess the next one, so writes came back to back and
 * preprocessing stalled behind them (4,400 images/s; two writers: 5,600).
 *
 * <p>At most {@link #QUEUED} shards are in flight (about 25 MB each for 1,000 images), so memory stays bounded
 * and a slow S3 slows the ingest instead of filling the heap.
 */
final class ShardWrites implements AutoCloseable {
    static final int WRITERS = 2;
    private static final int QUEUED = WRITERS + 1;

    /** A shard in S3: its event (sent once every shard before it was announced) and its manifest entry. */
    record Written(DatasetBatch batch, ObjectNode entry) {
    }

    private final List<ObjectNode> done;
    private final Consumer<Written> announce;
    private final ExecutorService writers = Executors.newFixedThreadPool(WRITERS, daemon("ingest-shard-writer"));
    private final ExecutorService announcer = Executors.newSingleThreadExecutor(daemon("ingest-shard-announcer"));
    private final ArrayDeque<CompletableFuture<ObjectNode>> inFlight = new ArrayDeque<>();
    private CompletableFuture<ObjectNode> lastAnnounced = CompletableFuture.completedFuture(null);
    private int next;

    /** {@code done} receives the manifest entries in index order; {@code announce} sends a shard's event. */
    ShardWrites(List<ObjectNode> done, Consumer<Written> announce) {
        this.done = done;
        this.announce = announce;
    }

    /** Queues the write of the next shard, given its index; waits while too many are in flight. */
    void submit(IntFunction<Written> write) throws IOException, InterruptedException {
        int index = next++;
        CompletableFuture<Written> written = CompletableFuture.supplyAsync(() -> write.apply(index), writers);
        // Both inputs done: this shard is in S3 and the one before it has been announced.
        CompletableFuture<ObjectNode> announced = written.thenCombineAsync(lastAnnounced, (w, previous) -> {
            announce.accept(w);
            return w.entry();
        }, announcer);
        lastAnnounced = announced;
        inFlight.add(announced);
        while (inFlight.size() > QUEUED) {
            awaitOldest();
        }
    }

    void drain() throws IOException, InterruptedException {
        while (!inFlight.isEmpty()) {
            awaitOldest();
        }
    }

    private void awaitOldest() throws IOException, InterruptedException {
        try {
            done.add(inFlight.poll().get());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r; // a StorageException once the retries are spent: the job fails with its message
            }
            throw new IOException("writing a shard failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        writers.shutdownNow();
        announcer.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
