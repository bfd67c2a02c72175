package dev.faces.trainer.runs;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cancel requests. One made on the replica that trains the run is seen at the next step; one made on another
 * replica is written to S3 ({@code <runId>/cancel-requested.json}), which the owner checks at most every 5 s.
 */
final class Cancellations {
    private static final long CHECK_EVERY_NANOS = 5_000_000_000L;

    private final ObjectStore store;
    private final String bucket;
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> checked = new ConcurrentHashMap<>();

    Cancellations(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    /** A cancel for a run this replica trains. */
    void requestHere(String runId) {
        requested.add(runId);
    }

    /** A cancel for a run another replica owns (or will own): its owner finds it in S3. */
    void requestForOwner(String runId) {
        store.put(bucket, ObjectKeys.cancelRequest(runId), "{}".getBytes(), "application/json");
    }

    /** Asked for before the run started? (one S3 read) */
    boolean requestedBeforeStart(String runId) {
        return store.exists(bucket, ObjectKeys.cancelRequest(runId));
    }

    /** Asked for here, or through S3 (checked at most every 5 s; storage away reads as "not yet"). */
    boolean isRequested(String runId) {
        if (requested.contains(runId)) {
            return true;
        }
        long now = System.nanoTime();
        Long last = checked.get(runId);
        if (last == null || now - last > CHECK_EVERY_NANOS) {
            checked.put(runId, now);
            try {
                if (store.exists(bucket, ObjectKeys.cancelRequest(runId))) {
                    requested.add(runId);
                }
            } catch (RuntimeException storageAway) {
                return false;
            }
        }
        return requested.contains(runId);
    }

    void done(String runId) {
        requested.remove(runId);
        checked.remove(runId);
    }
}
