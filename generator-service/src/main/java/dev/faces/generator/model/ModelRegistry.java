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
 * Every checkpoint the service knows and the one it serves. Swapping is one atomic reference write: a request
 * takes the current model once and finishes on it, whatever is swapped in meanwhile. Which checkpoint is served
 * follows the policy ({@code latest}: the newest; {@code best}: the lowest SWD) among the complete ones, unless
 * one is pinned. Memory is bounded: only the served, the pinned and the previously served models stay loaded
 * (at most {@code maxLoaded}); the others are known by their manifest and load again on demand.
 */
public final class ModelRegistry {

    public enum Policy { latest, best }

    /**
     * available: complete (its checkpoint.json lists it), not in memory; loaded: in memory; incomplete: no
     * checkpoint.json yet; unavailable: storage failed while loading, tried again later; rejected: it can never be
     * served (digest, shape, non-finite output), with the reason.
     */
    public enum Status { available, loaded, incomplete, unavailable, rejected }

    /** A checkpoint the service knows; {@code model} is set only while it is loaded. */
    public record Entry(String runId, int epoch, Double swd, Instant publishedAt, Status status, String reason,
                        String sha256, LoadedModel model) {
        public String version() {
            return LoadedModel.version(runId, epoch);
        }

        boolean servable() {
            return status == Status.available || status == Status.loaded;
        }

        Entry with(Status newStatus, String newReason, LoadedModel newModel) {
            return new Entry(runId, epoch, swd, publishedAt, newStatus, newReason, sha256, newModel);
        }
    }

    private final Policy defaultPolicy;
    private volatile Policy policy;
    private volatile boolean policyChosen;
    private final int maxLoaded;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private volatile Pin pin;
    private volatile String previous;
    private volatile long failedLoads;

    public ModelRegistry(Policy policy, int maxLoaded) {
        this.defaultPolicy = policy;
        this.policy = policy;
        this.maxLoaded = Math.max(1, maxLoaded);
    }

    public Optional<LoadedModel> current() {
        return Optional.ofNullable(current.get());
    }

    public Policy policy() {
        return policy;
    }

    /** The policy set through faces.serving, or null while the configured default applies. */
    public Policy chosenPolicy() {
        return policyChosen ? policy : null;
    }

    /**
     * The state every replica follows (from faces.serving): a pinned checkpoint or none, and a policy (null: the
     * configured default). A pin of a checkpoint this replica does not know yet waits until it does; meanwhile
     * the policy decides. Returns the checkpoint to load, if the choice is not in memory.
     */
    public synchronized Optional<Entry> follow(Pin newPin, Policy newPolicy) {
        pin = newPin;
        policyChosen = newPolicy != null;
        policy = newPolicy != null ? newPolicy : defaultPolicy;
        return reselect();
    }

    /** A pinned checkpoint, known to this replica or not (yet). */
    public record Pin(String runId, int epoch) {
        public String version() {
            return LoadedModel.version(runId, epoch);
        }
    }

    public Optional<Pin> pin() {
        return Optional.ofNullable(pin);
    }

    public Optional<String> pinned() {
        return pin().map(Pin::version);
    }

    public long failedLoads() {
        return failedLoads;
    }

    public Optional<Entry> entry(String runId, int epoch) {
        return Optional.ofNullable(entries.get(LoadedModel.version(runId, epoch)));
    }

    /**
     * A complete checkpoint, from its manifest or its event ({@code sha256} is what that source says the
     * generator's digest is). New ones are available; one that was incomplete or unavailable becomes available
     * again; loaded and rejected ones stay as they are.
     */
    public synchronized void known(String runId, int epoch, Double swd, Instant publishedAt, String sha256) {
        String version = LoadedModel.version(runId, epoch);
        Entry e = entries.get(version);
        if (e == null) {
            entries.put(version, new Entry(runId, epoch, swd, publishedAt, Status.available, null, sha256, null));
        } else if (e.status() == Status.incomplete || e.status() == Status.unavailable) {
            entries.put(version, new Entry(runId, epoch, swd != null ? swd : e.swd(), e.publishedAt(),
                    Status.available, null, sha256 != null ? sha256 : e.sha256(), null));
        } else if (e.sha256() != null && sha256 != null && !e.sha256().equals(sha256) && e.status() != Status.rejected) {
            // the event and the manifest disagree on the generator's digest: it is not served
            entries.put(version, e.with(Status.rejected, "sha256 mismatch: one source announced " + e.sha256()
                    + ", another " + sha256, null));
            failedLoads++;
        }
    }

    /** A rejected checkpoint whose checkpoint.json was written again at {@code at}: it is judged again. */
    public synchronized void rewritten(String runId, int epoch, Instant at) {
        Entry e = entries.get(LoadedModel.version(runId, epoch));
        if (e != null && e.status() == Status.rejected) {
            entries.put(e.version(), new Entry(runId, epoch, e.swd(), at, Status.available, null, null, null));
        }
    }

    /** No commit marker yet: not served, not rejected; a later scan or event tries again. */
    public synchronized void incomplete(String runId, int epoch, Instant publishedAt, String reason) {
        String version = LoadedModel.version(runId, epoch);
        Entry e = entries.get(version);
        if (e == null || e.status() == Status.available || e.status() == Status.unavailable) {
            entries.put(version, new Entry(runId, epoch, e == null ? null : e.swd(),
                    e == null ? publishedAt : e.publishedAt(), Status.incomplete, reason, e == null ? null : e.sha256(),
                    null));
        }
    }

    /** Storage failed while loading it: kept, and tried again by the next scan. */
    public synchronized void unavailable(String runId, int epoch, String reason) {
        Entry e = entries.get(LoadedModel.version(runId, epoch));
        if (e != null && e.status() == Status.available) {
            entries.put(e.version(), e.with(Status.unavailable, reason, null));
        }
    }

    /** It can never be served: kept in the list with its reason; the served model stays. */
    public synchronized void reject(String runId, int epoch, String reason) {
        failedLoads++;
        String version = LoadedModel.version(runId, epoch);
        Entry e = entries.get(version);
        entries.put(version, e == null
                ? new Entry(runId, epoch, null, Instant.now(), Status.rejected, reason, null, null)
                : e.with(Status.rejected, reason, null));
        if (pin != null && version.equals(pin.version())) {
            pin = null;
        }
    }

    /** A loaded, verified and warmed model; it is served at once if the pin or the policy prefers it. */
    public synchronized void loaded(LoadedModel model) {
        Entry e = entries.get(model.version());
        Entry base = e != null ? e : new Entry(model.runId(), model.epoch(), null, model.loadedAt(), Status.available,
                null, model.sha256(), null);
        entries.put(model.version(), base.with(Status.loaded, null, model));
        preferred().filter(p -> p.version().equals(model.version())).ifPresent(p -> serve(model));
    }

    /** The checkpoint the pin or the policy wants served, loaded or not. */
    public synchronized Optional<Entry> preferred() {
        if (pin != null) {
            Entry p = entries.get(pin.version());
            if (p != null && p.servable()) {
                return Optional.of(p);
            }
        }
        Comparator<Entry> order = policy == Policy.best
                ? Comparator.comparing((Entry e) -> e.swd() == null ? Double.MAX_VALUE : e.swd()).reversed()
                        .thenComparing(Entry::publishedAt).thenComparing(Entry::epoch)
                : Comparator.comparing(Entry::publishedAt).thenComparing(Entry::epoch);
        return entries.values().stream().filter(Entry::servable).max(order);
    }

    /** Serves the preferred checkpoint if it is loaded; returns it if it still has to be loaded. */
    public synchronized Optional<Entry> reselect() {
        Optional<Entry> want = preferred();
        if (want.isPresent() && want.get().model() != null) {
            serve(want.get().model());
            return Optional.empty();
        }
        return want;
    }

    /** Pins a complete checkpoint (also how to roll back); the caller loads it if it is not in memory. */
    public synchronized Entry pin(String runId, int epoch) {
        Entry e = requireServable(runId, epoch);
        pin = new Pin(runId, epoch);
        if (e.model() != null) {
            serve(e.model());
        }
        return e;
    }

    /** The checkpoint, if it can be served (pinned); else why not, as an IllegalArgumentException. */
    public Entry requireServable(String runId, int epoch) {
        Entry e = entries.get(LoadedModel.version(runId, epoch));
        if (e == null || !e.servable()) {
            throw new IllegalArgumentException("checkpoint " + LoadedModel.version(runId, epoch) + " is "
                    + (e == null ? "unknown" : e.status() + (e.reason() == null ? "" : " (" + e.reason() + ")"))
                    + "; GET /api/models lists the ones that can be pinned");
        }
        return e;
    }

    public synchronized void unpin() {
        pin = null;
        reselect();
    }

    public List<Entry> entries() {
        List<Entry> list = new ArrayList<>(entries.values());
        list.sort(Comparator.comparing(Entry::runId).thenComparing(Entry::epoch).reversed());
        return list;
    }

    public long loadedCount() {
        return entries.values().stream().filter(e -> e.model() != null).count();
    }

    private void serve(LoadedModel model) {
        LoadedModel before = current.getAndSet(model);
        if (before != null && !before.version().equals(model.version())) {
            previous = before.version();
        }
        evict();
    }

    /** Drops from memory every model but the served, the pinned and the previous one, down to maxLoaded. */
    private void evict() {
        LoadedModel served = current.get();
        List<Entry> loaded = entries.values().stream().filter(e -> e.model() != null)
                .sorted(Comparator.comparing((Entry e) -> e.model().loadedAt())).toList();
        long count = loaded.size();
        for (int pass = 0; pass < 2 && count > maxLoaded; pass++) {
            for (Entry e : loaded) {
                if (count <= maxLoaded) {
                    break;
                }
                boolean keep = served != null && e.version().equals(served.version())
                        || pass == 0 && (e.version().equals(pinned().orElse(null)) || e.version().equals(previous));
                if (!keep && entries.get(e.version()).model() != null) {
                    entries.put(e.version(), e.with(Status.available, null, null));
                    count--;
                }
            }
        }
    }
}
