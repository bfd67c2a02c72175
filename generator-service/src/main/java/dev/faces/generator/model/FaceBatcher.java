package dev.faces.generator.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Micro-batching: concurrent requests are queued and drawn together in one forward pass of up to
 * {@code maxBatch} faces, waiting at most {@code maxWait} for company. The queue is bounded in faces; past it,
 * {@link #submit} refuses at once so the caller can answer 503 with Retry-After instead of running out of memory.
 * Each job is drawn by the model that was current when the batch began.
 */
public final class FaceBatcher implements AutoCloseable {
    /** Faces drawn by one model, and which. */
    public record Result(float[] pixels, LoadedModel model) {
    }

    private record Job(float[] latents, int count, long deadlineNanos, CompletableFuture<Result> done) {
    }

    /** The request's deadline passed before its faces were drawn: it is not drawn at all. */
    public static final class DeadlineException extends RuntimeException {
        public DeadlineException(String message) {
            super(message);
        }
    }

    /** The queue is full: shed this request. */
    public static final class OverloadedException extends RuntimeException {
        public OverloadedException(String message) {
            super(message);
        }
    }

    private final Supplier<LoadedModel> model;
    private final BlockingQueue<Job> queue;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final int maxQueuedFaces;
    private final ForkJoinPool pool;
    private final Thread worker;
    private final java.util.concurrent.atomic.AtomicInteger queuedFaces = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean closed;
    private volatile java.util.function.IntConsumer onBatch = faces -> { };

    public FaceBatcher(Supplier<LoadedModel> model, int maxBatch, long maxWaitMicros, int maxQueuedFaces, int threads) {
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = TimeUnit.MICROSECONDS.toNanos(maxWaitMicros);
        this.maxQueuedFaces = maxQueuedFaces;
        this.queue = new ArrayBlockingQueue<>(Math.max(1, maxQueuedFaces));
        this.pool = new ForkJoinPool(Math.max(1, threads));
        this.worker = new Thread(this::work, "face-batcher");
        worker.setDaemon(true);
        worker.start();
    }

    /** Told the size of every batch drawn (for the batch-size histogram). */
    public void onBatch(java.util.function.IntConsumer listener) {
        this.onBatch = listener;
    }

    /** Queues {@code count} latents (100 floats each); completes with their pixels, NCHW in [-1, 1]. */
    public CompletableFuture<Result> submit(float[] latents, int count) {
        return submit(latents, count, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    }

    /**
     * As {@link #submit(float[], int)}, with a deadline ({@link System#nanoTime()} based): a job whose deadline
     * passes while it waits completes with {@link DeadlineException} and costs no forward pass. The caller waits
     * on the future without holding a thread.
     */
    public CompletableFuture<Result> submit(float[] latents, int count, long deadlineNanos) {
        if (queuedFaces.addAndGet(count) > maxQueuedFaces) {
            queuedFaces.addAndGet(-count);
            throw new OverloadedException("more than " + maxQueuedFaces + " faces are waiting to be drawn");
        }
        Job job = new Job(latents, count, deadlineNanos, new CompletableFuture<>());
        if (!queue.offer(job)) {
            queuedFaces.addAndGet(-count);
            throw new OverloadedException("the request queue is full");
        }
        return job.done();
    }

    public int queuedFaces() {
        return queuedFaces.get();
    }

    private void work() {
        while (!closed) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Job> jobs = new ArrayList<>();
                jobs.add(first);
                int faces = first.count();
                long deadline = System.nanoTime() + maxWaitNanos;
                while (faces < maxBatch) {
                    Job next = queue.peek();
                    if (next != null && faces + next.count() > maxBatch) {
                        break;
                    }
                    next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    jobs.add(next);
                    faces += next.count();
                }
                draw(jobs, faces);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) { // the worker outlives any one batch: an Error fails that batch, not the service
                java.util.logging.Logger.getLogger(FaceBatcher.class.getName()).log(java.util.logging.Level.SEVERE,
                        "face batcher: " + e, e);
            }
        }
    }

    /** False once the worker cannot run any more: readiness then goes DOWN. */
    public boolean isRunning() {
        return !closed && worker.isAlive();
    }

    /** A batch failed inside the forward pass (an Error, say); its requests get a 503 and the service goes on. */
    public static final class DrawFailedException extends RuntimeException {
        public DrawFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void draw(List<Job> all, int allFaces) {
        queuedFaces.addAndGet(-allFaces);
        long now = System.nanoTime();
        List<Job> jobs = new ArrayList<>();
        int faces = 0;
        for (Job j : all) {
            if (now - j.deadlineNanos() > 0) {
                j.done().completeExceptionally(new DeadlineException("the request waited past its deadline"));
            } else {
                jobs.add(j);
                faces += j.count();
            }
        }
        if (jobs.isEmpty()) {
            return;
        }
        try {
            LoadedModel m = model.get();
            if (m == null) {
                jobs.forEach(j -> j.done().completeExceptionally(new IllegalStateException("no model loaded yet")));
                return;
            }
            onBatch.accept(faces);
            float[] z = new float[faces * 100];
            int at = 0;
            for (Job j : jobs) {
                System.arraycopy(j.latents(), 0, z, at, j.latents().length);
                at += j.latents().length;
            }
            float[] pixels = m.model().generate(z, faces, pool);
            int per = 3 * 64 * 64;
            int offset = 0;
            for (Job j : jobs) {
                float[] mine = new float[j.count() * per];
                System.arraycopy(pixels, offset * per, mine, 0, mine.length);
                offset += j.count();
                j.done().complete(new Result(mine, m));
            }
        } catch (Throwable e) {
            DrawFailedException failure = new DrawFailedException("drawing the faces failed: " + e, e);
            jobs.forEach(j -> j.done().completeExceptionally(failure));
        }
    }

    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        pool.shutdown();
    }
}
