package dev.faces.generator.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model being served and every checkpoint the service has heard of. Swapping is one atomic reference
 * write: a request takes the current model once and finishes on it, whatever is swapped in meanwhile.
 * Which checkpoint is served follows the policy ({@code latest} epoch of the newest run, or {@code best}:
 * lowest SWD) unless a person pinned one.
 */
public final class ModelRegistry {

    public enum Policy { latest, best }

    /** A checkpoint the service knows; {@code model} is null unless it loaded. */
    public record Entry(String runId, int epoch, Double swd, Instant publishedAt, String status, String reason,
                        LoadedModel model) {
        public String version() {
            return LoadedModel.version(runId, epoch);
        }
    }

    private final Policy policy;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private volatile String pinned;
    private volatile long failedLoads;

    public ModelRegistry(Policy policy) {
        this.policy = policy;
    }

    public Optional<LoadedModel> current() {
        return Optional.ofNullable(current.get());
    }

    public Policy policy() {
        return policy;
    }

    public Optional<String> pinned() {
        return Optional.ofNullable(pinned);
    }

    public long failedLoads() {
        return failedLoads;
    }

    public boolean knows(String runId, int epoch) {
        Entry e = entries.get(LoadedModel.version(runId, epoch));
        return e != null && e.model() != null;
    }

    public boolean wasRejected(String runId, int epoch) {
        Entry e = entries.get(LoadedModel.version(runId, epoch));
        return e != null && e.model() == null;
    }

    /** A loaded and warmed model joins; it is served at once if the policy (or the pin) prefers it. */
    public synchronized void add(LoadedModel model, Double swd, Instant publishedAt) {
        entries.put(model.version(), new Entry(model.runId(), model.epoch(), swd, publishedAt, "loaded", null, model));
        reselect();
    }

    /** A checkpoint that could not be loaded: kept in the list with its reason; the served model stays. */
    public synchronized void reject(String runId, int epoch, Double swd, String reason) {
        failedLoads++;
        String version = LoadedModel.version(runId, epoch);
        Entry existing = entries.get(version);
        if (existing == null || existing.model() == null) {
            entries.put(version, new Entry(runId, epoch, swd, Instant.now(), "rejected", reason, null));
        }
    }

    /** Serves exactly this checkpoint until unpinned (also how to roll back). */
    public synchronized LoadedModel pin(String runId, int epoch) {
        Entry e = entries.get(LoadedModel.version(runId, epoch));
        if (e == null || e.model() == null) {
            throw new IllegalArgumentException("checkpoint " + LoadedModel.version(runId, epoch)
                    + " is not loaded; GET /api/models lists the ones that can be pinned");
        }
        pinned = e.version();
        current.set(e.model());
        return e.model();
    }

    public synchronized void unpin() {
        pinned = null;
        reselect();
    }

    public List<Entry> entries() {
        List<Entry> list = new ArrayList<>(entries.values());
        list.sort(Comparator.comparing(Entry::runId).thenComparing(Entry::epoch).reversed());
        return list;
    }

    private void reselect() {
        if (pinned != null) {
            return;
        }
        Comparator<Entry> order = policy == Policy.best
                ? Comparator.comparing((Entry e) -> e.swd() == null ? Double.MAX_VALUE : e.swd()).reversed()
                        .thenComparing(Entry::publishedAt)
                : Comparator.comparing(Entry::publishedAt).thenComparing(Entry::epoch);
        entries.values().stream().filter(e -> e.model() != null).max(order).ifPresent(e -> current.set(e.model()));
    }
}
