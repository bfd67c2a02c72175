package dev.faces.trainer.runs;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import java.util.Map;
import java.util.Optional;

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
 * <li>a refused write fences the lease: it throws {@link FencedException} and every later write throws too.</li>
 * </ul>
 * A lost partition fences the lease at once ({@link #lose}), before any write.
 */
public final class RunLease implements RunWrites {
    static final String EPOCH = "lease-epoch";
    static final String OWNER = "lease-owner";
    private static final int ATTEMPTS = 3;

    private final ObjectStore store;
    private final String bucket;
    private final RunStore runs;
    private final String runId;
    private final long epoch;
    private final String owner;
    private volatile String runJsonEtag;
    private volatile String fenced;

    RunLease(ObjectStore store, String bucket, RunStore runs, String runId, long epoch, String owner, String etag) {
        this.store = store;
        this.bucket = bucket;
        this.runs = runs;
        this.runId = runId;
        this.epoch = epoch;
        this.owner = owner;
        this.runJsonEtag = etag;
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
        try {
            runJsonEtag = store.put(bucket, ObjectKeys.runJson(runId), runs.encode(run, epoch, owner), "application/json",
                    runJsonEtag, metadata());
            return run;
        } catch (ObjectStore.PreconditionFailedException e) {
            throw fence("run.json changed since lease " + epoch + " wrote it" + newerOwner(ObjectKeys.runJson(runId)));
        }
    }

    @Override
    public void put(String key, byte[] data, String contentType) {
        for (int attempt = 1; ; attempt++) {
            String current = currentEtag(key);
            try {
                store.put(bucket, key, data, contentType, current, metadata());
                return;
            } catch (ObjectStore.PreconditionFailedException e) {
                if (attempt == ATTEMPTS) {
                    throw fence(key + " changed under lease " + epoch + " " + ATTEMPTS + " times");
                }
            }
        }
    }

    @Override
    public void delete(String key) {
        if (currentEtag(key) != null) {
            store.delete(bucket, key);
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
            throw fence("run.json changed since lease " + epoch + " wrote it" + newerOwner(ObjectKeys.runJson(runId)));
        }
        Optional<ObjectStore.Stat> stat = store.stat(bucket, key);
        if (stat.isPresent() && leaseOf(stat.get()) > epoch) {
            throw fence(key + " was written under lease " + leaseOf(stat.get()));
        }
        return stat.map(ObjectStore.Stat::etag).orElse(null);
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
