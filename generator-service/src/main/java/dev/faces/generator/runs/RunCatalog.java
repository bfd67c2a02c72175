package dev.faces.generator.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.Ids;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The training runs as the trainer left them in S3, read only through the checkpoint layout (run.json,
 * metrics.jsonl, epoch-NNNN/samples.png and checkpoint.json): ids are checked, so no other key can be read.
 * Reads are cached briefly; a sample grid, which never changes once written, for longer.
 */
public final class RunCatalog {
    /** Runs listed at most, newest first. */
    public static final int MAX_RUNS = 200;
    /** metrics.jsonl and samples.png larger than this are not read (a run logs a line every 50 steps). */
    static final long MAX_OBJECT_BYTES = 16L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EPOCH_FILE =
            Pattern.compile("epoch-(\\d{4,})/(checkpoint\\.json|samples\\.png|samples-ema\\.png)$");

    private final ObjectStore store;
    private final String bucket;
    private final TtlCache<Object> recent;
    private final TtlCache<byte[]> images;

    public RunCatalog(ObjectStore store, String bucket, Duration ttl) {
        this(store, bucket, ttl, System::nanoTime);
    }

    RunCatalog(ObjectStore store, String bucket, Duration ttl, LongSupplier clock) {
        this.store = store;
        this.bucket = bucket;
        this.recent = new TtlCache<>(ttl, 2048, clock);
        this.images = new TtlCache<>(Duration.ofHours(1), 256, clock);
    }

    /** Every run's summary, newest first. */
    public List<ObjectNode> runs() {
        List<ObjectNode> runs = new ArrayList<>();
        for (String folder : cached("folders", () -> store.listFolders(bucket, ""))) {
            String runId = folder.substring(0, folder.length() - 1);
            if (Ids.isSafe(runId)) {
                runJson(runId).ifPresent(r -> runs.add(summary(r, metrics(runId).orElse(JSON.createArrayNode()))));
            }
        }
        runs.sort(Comparator.comparing((ObjectNode r) -> r.path("createdAt").asDouble()).reversed());
        return runs.size() > MAX_RUNS ? runs.subList(0, MAX_RUNS) : runs;
    }

    /** run.json, its summary, and the epochs that have a checkpoint or a sample grid in S3. */
    public Optional<ObjectNode> run(String runId) {
        requireId(runId);
        return runJson(runId).map(r -> {
            ObjectNode view = summary(r, metrics(runId).orElse(JSON.createArrayNode()));
            view.set("run", r);
            view.set("epochList", epochs(runId));
            return view;
        });
    }

    /** metrics.jsonl as a JSON array, one object per line; empty if the run has logged nothing yet. */
    public Optional<ArrayNode> metrics(String runId) {
        requireId(runId);
        if (runJson(runId).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(cached("metrics:" + runId, () -> {
            ArrayNode lines = JSON.createArrayNode();
            read(ObjectKeys.metricsLog(runId)).ifPresent(bytes -> new String(bytes, StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank()).forEach(l -> {
                        try {
                            lines.add(JSON.readTree(l));
                        } catch (IOException e) {
                            // a line cut short by a crash mid-write: the others still count
                        }
                    }));
            return lines;
        }));
    }

    /** epoch-NNNN/samples.png, the 64 fixed-latent faces the trainer drew after that epoch. */
    public Optional<byte[]> samples(String runId, int epoch) {
        return grid(runId, epoch, false);
    }

    /** epoch-NNNN/samples-ema.png: the same latents drawn by G_ema. */
    public Optional<byte[]> samplesEma(String runId, int epoch) {
        return grid(runId, epoch, true);
    }

    private Optional<byte[]> grid(String runId, int epoch, boolean average) {
        requireId(runId);
        if (epoch < 1 || epoch > 9999) {
            throw new IllegalArgumentException("epoch must be 1 to 9999, got " + epoch);
        }
        String key = average ? ObjectKeys.samplesEma(runId, epoch) : ObjectKeys.samples(runId, epoch);
        byte[] known = images.getIfPresent(key);
        if (known != null) {
            return Optional.of(known);
        }
        // A missing grid is remembered only briefly: it appears when the epoch ends.
        Optional<byte[]> png = cached("samples:" + key, () -> read(key));
        png.ifPresent(bytes -> images.put(key, bytes));
        return png;
    }

    private ArrayNode epochs(String runId) {
        TreeMap<Integer, ObjectNode> epochs = new TreeMap<>();
        for (String key : cached("keys:" + runId, () -> store.list(bucket, ObjectKeys.runPrefix(runId)))) {
            Matcher m = EPOCH_FILE.matcher(key);
            if (m.find()) {
                int epoch = Integer.parseInt(m.group(1));
                ObjectNode e = epochs.computeIfAbsent(epoch, n -> JSON.createObjectNode().put("epoch", n)
                        .put("complete", false).put("samples", false).put("samplesEma", false));
                e.put(switch (m.group(2)) {
                    case "checkpoint.json" -> "complete";
                    case "samples.png" -> "samples";
                    default -> "samplesEma";
                }, true);
            }
        }
        ArrayNode list = JSON.createArrayNode();
        epochs.values().forEach(list::add);
        return list;
    }

    private Optional<ObjectNode> runJson(String runId) {
        return cached("run:" + runId, () -> read(ObjectKeys.runJson(runId)).map(bytes -> {
            try {
                JsonNode node = JSON.readTree(bytes);
                return node instanceof ObjectNode o ? o : null;
            } catch (IOException e) {
                return null;
            }
        }));
    }

    /** The runs list's row: what a person scans for, from run.json and the last metrics line. */
    private static ObjectNode summary(ObjectNode run, ArrayNode metrics) {
        ObjectNode s = JSON.createObjectNode();
        JsonNode request = run.path("request");
        s.put("runId", run.path("runId").asText());
        s.put("datasetId", request.path("datasetId").asText());
        s.put("status", run.path("status").asText());
        s.put("epochsDone", run.path("epochsDone").asInt());
        s.put("epochs", request.path("epochs").asInt());
        s.put("diverging", run.path("diverging").asBoolean());
        s.set("createdAt", run.path("createdAt"));
        s.set("startedAt", run.path("createdAt"));
        boolean finished = run.path("status").asText().matches("completed|failed|cancelled");
        s.set("finishedAt", finished ? run.path("updatedAt") : JSON.nullNode());
        s.set("reason", run.path("reason").isMissingNode() ? JSON.nullNode() : run.path("reason"));
        s.set("swdFloor", run.path("swdFloor").isMissingNode() ? JSON.nullNode() : run.path("swdFloor"));
        s.set("device", run.path("device").isMissingNode() ? JSON.nullNode() : run.path("device"));
        JsonNode last = metrics.isEmpty() ? null : metrics.get(metrics.size() - 1);
        s.set("imagesPerSecond", last == null ? JSON.nullNode() : last.path("imagesPerSecond"));
        ObjectNode hyper = s.putObject("hyperParameters");
        for (String name : List.of("batchSize", "learningRate", "beta1", "seed", "resumeFrom")) {
            if (request.has(name)) {
                hyper.set(name, request.get(name));
            }
        }
        return s;
    }

    private Optional<byte[]> read(String key) {
        Optional<ObjectStore.Stat> stat = store.stat(bucket, key);
        if (stat.isEmpty()) {
            return Optional.empty();
        }
        if (stat.get().size() > MAX_OBJECT_BYTES) {
            throw new IllegalStateException(key + " is " + stat.get().size() + " bytes; the gallery reads at most "
                    + MAX_OBJECT_BYTES);
        }
        return store.get(bucket, key);
    }

    @SuppressWarnings("unchecked")
    private <T> T cached(String key, java.util.function.Supplier<T> load) {
        return (T) recent.get(key, () -> load.get());
    }

    private static void requireId(String runId) {
        Ids.requireSafe("runId", runId);
    }
}
