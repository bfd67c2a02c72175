package dev.faces.ingest.job;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** Live counts of one ingest job, for the API, the log and Prometheus. */
public final class IngestProgress {
    public enum Status { queued, running, completed, failed }

    private final Instant created = Instant.now();
    private volatile Instant started;
    private volatile Instant finished;
    private volatile Status status = Status.queued;
    private volatile String message;
    private volatile int total = -1;
    private final AtomicInteger processed = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger shards = new AtomicInteger();

    void start(int totalEntries) {
        total = totalEntries;
        started = Instant.now();
        status = Status.running;
    }

    void imageDone(boolean accepted) {
        processed.incrementAndGet();
        if (!accepted) {
            rejected.incrementAndGet();
        }
    }

    void refused(int count) {
        rejected.addAndGet(count);
    }

    void shardWritten() {
        shards.incrementAndGet();
    }

    /** A server the job needs is away: the job is still running, and says what it waits for. */
    void waiting(String why) {
        message = "waiting: " + why;
    }

    void waitingOver() {
        String m = message;
        if (m != null && m.startsWith("waiting: ")) {
            message = null;
        }
    }

    void finish(Status end, String why) {
        message = why;
        finished = Instant.now();
        status = end;
    }

    public Status status() {
        return status;
    }

    public String message() {
        return message;
    }

    public int total() {
        return total;
    }

    public int processed() {
        return processed.get();
    }

    public int rejected() {
        return rejected.get();
    }

    public int shards() {
        return shards.get();
    }

    public Instant created() {
        return created;
    }

    public double imagesPerSecond() {
        if (started == null) {
            return 0;
        }
        Instant end = finished != null ? finished : Instant.now();
        double seconds = Math.max(1e-3, Duration.between(started, end).toNanos() / 1e9);
        return processed.get() / seconds;
    }

    /** Seconds left at the current rate, or -1 when unknown. */
    public long etaSeconds() {
        double rate = imagesPerSecond();
        if (status != Status.running || rate <= 0 || total < 0) {
            return status == Status.completed ? 0 : -1;
        }
        return Math.round((total - processed.get()) / rate);
    }
}
