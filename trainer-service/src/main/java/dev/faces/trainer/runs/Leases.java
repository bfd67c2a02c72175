package dev.faces.trainer.runs;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The partitions of {@code faces.training-requests} this trainer holds, which are its leases on runs, and the
 * ones whose runs in S3 it has not yet looked at. A run belongs to the partition its request arrived on, as
 * run.json records it; older records map their runId as Kafka's default partitioner does.
 */
final class Leases {
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final Set<Integer> unscanned = new HashSet<>();
    private volatile int partitionCount = dev.faces.core.Topics.PARTITIONS;

    synchronized void grant(Collection<Integer> partitions) {
        owned.addAll(partitions);
        unscanned.addAll(partitions);
    }

    synchronized void revoke(Collection<Integer> partitions) {
        owned.removeAll(partitions);
        unscanned.removeAll(partitions);
    }

    /** Partitions granted since their runs were last looked up in S3; they count as scanned from now on. */
    synchronized Set<Integer> takeUnscanned() {
        Set<Integer> out = new HashSet<>(unscanned);
        unscanned.clear();
        return out;
    }

    /** Puts partitions back to be scanned (the scan failed). */
    synchronized void rescan(Collection<Integer> partitions) {
        partitions.stream().filter(owned::contains).forEach(unscanned::add);
    }

    boolean holds(int partition) {
        return owned.contains(partition);
    }

    boolean holds(RunRecord run) {
        return run != null && owned.contains(partitionOf(run));
    }

    int partitionOf(RunRecord run) {
        if (run == null) {
            return -1;
        }
        return run.partition() != null ? run.partition() : RunPartitions.of(run.runId(), partitionCount);
    }

    void partitionCount(int count) {
        partitionCount = count;
    }

    Set<Integer> owned() {
        return new TreeSet<>(owned);
    }
}
