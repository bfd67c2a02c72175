package dev.faces.trainer.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** run.json files in the checkpoints bucket: the trainer's durable memory of every run. */
public final class RunStore {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(RunStore.class.getName());
    private final ObjectStore store;
    private final String bucket;
    private final RunLease.Timing timing;
    private volatile Map<String, String> damaged = Map.of();

    public RunStore(ObjectStore store, String bucket, RunLease.Timing timing) {
        this.store = store;
        this.bucket = bucket;
        this.timing = timing;
    }

    /** A new run's run.json, on the condition that none exists: false when another request created it first. */
    public boolean create(RunRecord run) {
        try {
            store.put(bucket, ObjectKeys.runJson(run.runId()), encode(run), "application/json", null, Map.of());
            return true;
        } catch (ObjectStore.PreconditionFailedException e) {
            return false;
        }
    }

    /**
     * Takes the run for {@code owner} with the next lease epoch: run.json is rewritten on the condition that it is
     * unchanged since read, so of two trainers claiming at once one wins. A final run whose end the broker has is
     * not claimed (its lease is null); one whose end is pending is, only to announce it and record that under a
     * lease. A final run never trains again. Empty when run.json is gone.
     */
    public Optional<Claimed> claim(String runId, String owner) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<ObjectStore.Stat> stat = store.stat(bucket, ObjectKeys.runJson(runId));
            Optional<byte[]> bytes = store.get(bucket, ObjectKeys.runJson(runId));
            if (stat.isEmpty() || bytes.isEmpty()) {
                return Optional.empty();
            }
            boolean sameObject = Digests.md5(bytes.get()).equals(stat.get().etag()) // S3's ETag of a plain PUT
                    || stat.equals(store.stat(bucket, ObjectKeys.runJson(runId)));    // other ETags: unchanged since
            if (!sameObject) {
                continue; // rewritten between the two reads
            }
            RunRecord run = parse(bytes.get());
            if (run.status().isFinal() && !run.endPending()) {
                return Optional.of(new Claimed(run, null));
            }
            JsonNode previous = previousLease(bytes.get());
            long epoch = Math.max(RunLease.leaseOf(stat.get()), previous.path("epoch").asLong(0)) + 1;
            // a predecessor that may still be alive (it neither released the run nor is this very process) may
            // still land a write it signed before this claim: the new lease writes and reads once that is over
            boolean mayStillWrite = epoch > 1 && !previous.path(RunLease.RELEASED).asBoolean(false)
                    && !owner.equals(previous.path("owner").asText());
            java.time.Instant quietFrom = mayStillWrite ? java.time.Instant.now().plus(timing.settle())
                    : java.time.Instant.now();
            RunLease lease = new RunLease(store, bucket, this, runId, epoch, owner, stat.get().etag(), timing, quietFrom);
            try {
                return Optional.of(new Claimed(lease.save(run), lease));
            } catch (FencedException e) {
                // another trainer claimed it between the read and the write: read again
            }
        }
        throw new FencedException("run " + runId + ": run.json kept changing while " + owner + " claimed it");
    }

    /** A run and the lease under which its new owner writes into it (null for a final run). */
    public record Claimed(RunRecord run, RunLease lease) {
    }

    byte[] encode(RunRecord run) {
        return encode(run, 0, null, false);
    }

    /**
     * run.json with its lease ({@code "lease": {"epoch", "owner", "released"}}, which RunRecord ignores): in the
     * content, so that each claim changes the ETag that the owners' conditions compare. {@code released}: the owner
     * stopped the run and writes nothing more into it.
     */
    byte[] encode(RunRecord run, long leaseEpoch, String owner, boolean released) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode json = EventCodec.json().valueToTree(run);
            if (owner != null) {
                var lease = json.putObject("lease").put("epoch", leaseEpoch).put("owner", owner);
                if (released) {
                    lease.put(RunLease.RELEASED, true);
                }
            }
            return EventCodec.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode previousLease(byte[] runJson) {
        try {
            return EventCodec.json().readTree(runJson).path("lease");
        } catch (IOException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    /** Writes run.json without a condition: only for runs that no trainer trains (tests, tools). */
    public void save(RunRecord run) {
        store.put(bucket, ObjectKeys.runJson(run.runId()), encode(run), "application/json");
    }

    public Optional<RunRecord> find(String runId) {
        return store.get(bucket, ObjectKeys.runJson(runId)).map(this::parse);
    }

    /**
     * Every run in the bucket, oldest first. A damaged run.json names no run that can be resumed: it is left out,
     * logged with its key and what is wrong, and kept in {@link #damaged()} for the API, never dropped in silence.
     */
    public List<RunRecord> all() {
        List<RunRecord> runs = new ArrayList<>();
        Map<String, String> unreadable = new java.util.TreeMap<>();
        for (String key : store.list(bucket, "")) {
            if (key.endsWith("/run.json") && key.indexOf('/') == key.length() - "/run.json".length()) {
                store.get(bucket, key).ifPresent(bytes -> {
                    try {
                        runs.add(parse(bytes));
                    } catch (UncheckedIOException e) {
                        unreadable.put(key, e.getMessage());
                    }
                });
            }
        }
        unreadable.forEach((key, why) -> {
            if (!why.equals(damaged.get(key))) {
                LOG.severe("s3://" + bucket + "/" + key + " is damaged, so its run cannot be resumed until it is"
                        + " repaired or removed: " + why);
            }
        });
        damaged = Map.copyOf(unreadable);
        runs.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        return runs;
    }

    /** The run.json files the last {@link #all()} could not read, with what is wrong with each. */
    public Map<String, String> damaged() {
        return damaged;
    }

    private RunRecord parse(byte[] bytes) {
        try {
            return EventCodec.json().readValue(bytes, RunRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable run.json: " + e.getMessage(), e);
        }
    }
}
