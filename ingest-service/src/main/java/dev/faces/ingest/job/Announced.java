package dev.faces.ingest.job;

import dev.faces.core.events.DatasetBatch;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one job has announced so far, kept across its attempts in this process: an attempt that follows an S3
 * outage rewrites nothing that is stored and re-announces nothing that the broker already has. A shard counts as
 * announced only with the same digest. After a restart this is empty, and consumers ignore the repeats.
 */
final class Announced {
    private final Set<String> shards = ConcurrentHashMap.newKeySet();
    private volatile boolean completed;

    boolean has(DatasetBatch batch) {
        return shards.contains(batch.shardIndex() + ":" + batch.sha256());
    }

    void add(DatasetBatch batch) {
        shards.add(batch.shardIndex() + ":" + batch.sha256());
    }

    boolean completed() {
        return completed;
    }

    void completed(boolean done) {
        completed = done;
    }
}
