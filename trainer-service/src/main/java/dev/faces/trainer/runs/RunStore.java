package dev.faces.trainer.runs;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** run.json files in the checkpoints bucket: the trainer's durable memory of every run. */
public final class RunStore {
    private final ObjectStore store;
    private final String bucket;

    public RunStore(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    public void save(RunRecord run) {
        try {
            store.put(bucket, ObjectKeys.runJson(run.runId()),
                    EventCodec.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(run), "application/json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<RunRecord> find(String runId) {
        return store.get(bucket, ObjectKeys.runJson(runId)).map(this::parse);
    }

    /** Every run in the bucket, oldest first. Unreadable run.json files are skipped. */
    public List<RunRecord> all() {
        List<RunRecord> runs = new ArrayList<>();
        for (String key : store.list(bucket, "")) {
            if (key.endsWith("/run.json") && key.indexOf('/') == key.length() - "/run.json".length()) {
                store.get(bucket, key).ifPresent(bytes -> {
                    try {
                        runs.add(parse(bytes));
                    } catch (UncheckedIOException ignored) {
                        // a damaged run.json names no run we can resume
                    }
                });
            }
        }
        runs.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        return runs;
    }

    private RunRecord parse(byte[] bytes) {
        try {
            return EventCodec.json().readValue(bytes, RunRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable run.json: " + e.getMessage(), e);
        }
    }
}
