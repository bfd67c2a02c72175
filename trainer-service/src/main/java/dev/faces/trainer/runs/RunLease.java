package dev.faces.trainer.runs;

import dev.faces.core.ExpiringWrite;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One owner's hold on a run, fenced by the storage itself. Each new owner takes the next lease epoch by rewriting
 * run.json on the condition that it is unchanged since read (If-Match its ETag). From then on:
 * <ul>
 * <li>run.json is written only If-Match the ETag of this owner's last write: once a newer owner has claimed the
 * run, the server refuses it;</li>
 * <li>every other object of the run carries the lease epoch of its writer (x-amz-meta-lease-epoch) and is
 * written If-Match the ETag it had when this owner looked (If-None-Match when absent), after this owner's
 * run.json was found unchanged: an object a newer owner wrote is never overwritten, and one it writes meanwhile
 * makes the write fail;</li>
 * <li>those writes are signed <em>before</em> that check and expire {@link Timing#writeValidity} later on the
 * server's clock ({@link ExpiringWrite}): a writer frozen between its check and its PUT is refused once it wakes,
 * so no write of an older lease lands later than {@link Timing#settle} after a newer owner's claim;</li>
 * <li>a new owner whose predecessor did not {@link #release} the run waits that long ({@link #awaitQuiet}) before
 * it reads the run's state or writes into it;</li>
 * <li>a refused write fences the lease: it throws {@link FencedException} and every later write throws too.</li>
 * </ul>
 * A lost partition fences the lease at once ({@link #lose}), before any write.
 */
public final class RunLease implements RunWrites {
    static final String EPOCH = "lease-epoch";
    static final String OWNER = "lease-owner";
    static final String RELEASED = "released";
    private static final int ATTEMPTS = 3;
    private static final int EXPIRIES = 5;

    /**
     * How long a write signed before its check is valid, and how long the server may still take a body in flight
     * after that (its idle timeout: 30 s for MinIO and S3Proxy). Their sum is how long a new owner waits after
     * taking a run from a trainer that may still be alive.
     */
    public record Timing(Duration writeValidity, Duration inFlight) {
        public Duration settle() {
            return writeValidity.plus(inFlight);
        }
    }

    private final ObjectStore store;
    private final String bucket;
    private final RunStore runs;
    private final String runId;
    private final long epoch;
    private final String owner;
    private final Timing timing;
    private final Instant quietFrom;
    private volatile String runJsonEtag;
    private volatile String fenced;
    /** Runs between a write's check and its PUT: where a test freezes the writer. */
    volatile Consumer<String> afterCheck = key -> { };

    RunLease(ObjectStore store, String bucket, RunStore runs, String runId, long epoch, String owner, String etag,
             Timing timing, Instant quietFrom) {
        this.store = store;
        this.bucket = bucket;
        this.runs = runs;
        this.runId = runId;
        this.epoch = epoch;
        this.owner = owner;
        this.runJsonEtag = etag;
        this.timing = timing;
        this.quietFrom = quietFrom;
    }

    /** From when no write of an older lease can land any more. */
    public Instant quietFrom() {
        return quietFrom;
    }

    /**
     * Waits until no write of an older lease can land, so that what this owner reads of the run is no longer
     * changed by its predecessor. False when {@code stop} said to stop first.
     */
    public boolean awaitQuiet(BooleanSupplier stop) throws InterruptedException {
        for (long ms; (ms = Duration.between(Instant.now(), quietFrom).toMillis()) > 0; ) {
            if (stop.getAsBoolean()) {
                return false;
            }
            Thread.sleep(Math.min(ms, 500));
        }
        return true;
    }

    /**
     * The run stops here and this owner writes nothing more: recorded in run.json so that the next owner need not
     * wait for writes of this lease ({@link #awaitQuiet}). Nothing is written when the lease no longer holds, nor
     * before an older lease's writes expired.
     */
    public void release(RunRecord run) {
        if (fenced != null) {
            return;
        }
        if (Instant.now().isBefore(quietFrom)) { // an older lease may still write: the next owner must wait too
            fenced = "released before its predecessor's writes expired";
            return;
        }
        try {
            writeRunJson(run, true);
            fenced = "released";
        } catch (FencedException e) {
            // a newer owner has the run already: nothing of this lease's is left to release
        }
    }

    public long epoch() {
        return epoch;
    }

    public String runId() {
        return runId;
    }

    /** Why this lease writes nothing more, or null while it holds. */
    public String fencedReason() {
        return fenced;
    }

    /** The partition was lost: another trainer may own the run already, so nothing more is written. */
    public void lose(String why) {
        if (fenced == null) {
            fenced = why;
        }
    }

    Map<String, String> metadata() {
        return Map.of(EPOCH, Long.toString(epoch), OWNER, owner);
    }

    /** run.json, on the condition that it is still what this owner last wrote. */
    public RunRecord save(RunRecord run) {
        ensureHeld();
        writeRunJson(run, false);
        return run;
    }

    private void writeRunJson(RunRecord run, boolean released) {
        try {
            runJsonEtag = store.put(bucket, ObjectKeys.runJson(runId), runs.encode(run, epoch, owner, released),
                    "application/json", runJsonEtag, metadata());
        } catch (ObjectStore.PreconditionFailedException e) {
            throw runJsonMovedOn();
        }
    }

    @Override
    public void put(String key, byte[] data, String contentType) {
        awaitQuietToWrite();
        for (int refused = 0, expired = 0; ; ) {
            ExpiringWrite write = store.expiringPut(bucket, key, metadata(), timing.writeValidity());
            String current = currentEtag(key);
            afterCheck.accept(key);
            try {
                write.put(data, contentType, current);
                return;
            } catch (ObjectStore.PreconditionFailedException e) {
                if (++refused == ATTEMPTS) {
                    throw fence(key + " changed under lease " + epoch + " " + ATTEMPTS + " times");
                }
            } catch (ExpiringWrite.ExpiredException e) {
                checkAgainAfter(e, ++expired);
            }
        }
    }

    @Override
    public void delete(String key) {
        awaitQuietToWrite();
        for (int expired = 0; ; ) {
            ExpiringWrite write = store.expiringDelete(bucket, key, timing.writeValidity());
            if (currentEtag(key) == null) {
                return;
            }
            afterCheck.accept(key);
            try {
                write.delete();
                return;
            } catch (ExpiringWrite.ExpiredException e) {
                checkAgainAfter(e, ++expired);
            }
        }
    }

    /** A write that expired is checked and signed again: the check decides whether this owner still may write. */
    private void checkAgainAfter(ExpiringWrite.ExpiredException e, int expired) {
        if (expired == EXPIRIES) {
            throw new ObjectStore.StorageException("run " + runId + ": " + EXPIRIES + " writes in a row expired before"
                    + " S3 took them, the last: " + e.getMessage(), e);
        }
    }

    /**
     * The ETag of {@code key} as this owner may replace it, null when absent; fences when run.json moved on or the
     * object was written under a newer lease.
     */
    private String currentEtag(String key) {
        ensureHeld();
        Optional<ObjectStore.Stat> runJson = store.stat(bucket, ObjectKeys.runJson(runId));
        if (runJson.isEmpty() || !runJson.get().etag().equals(runJsonEtag)) {
            throw runJsonMovedOn();
        }
        Optional<ObjectStore.Stat> stat = store.stat(bucket, key);
        if (stat.isPresent() && leaseOf(stat.get()) > epoch) {
            throw fence(key + " was written under lease " + leaseOf(stat.get()));
        }
        return stat.map(ObjectStore.Stat::etag).orElse(null);
    }

    private FencedException runJsonMovedOn() {
        return fence("run.json changed since lease " + epoch + " wrote it" + newerOwner(ObjectKeys.runJson(runId)));
    }

    static long leaseOf(ObjectStore.Stat stat) {
        try {
            return Long.parseLong(stat.metadata().getOrDefault(EPOCH, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private String newerOwner(String key) {
        return store.stat(bucket, key).map(s -> ": lease " + leaseOf(s) + " of "
                + s.metadata().getOrDefault(OWNER, "an older trainer") + " holds it").orElse("");
    }

    /** An object is written only once no write of an older lease can land on it any more. */
    private void awaitQuietToWrite() {
        try {
            awaitQuiet(() -> false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FencedException("run " + runId + ": interrupted while lease " + epoch + " waited to write");
        }
    }

    private void ensureHeld() {
        String why = fenced;
        if (why != null) {
            throw new FencedException("run " + runId + " is fenced for lease " + epoch + " (" + why + ")");
        }
    }

    private FencedException fence(String why) {
        fenced = why;
        return new FencedException("run " + runId + ": write refused, " + why + "; lease " + epoch + " of " + owner
                + " stops here and writes nothing more");
    }
}
