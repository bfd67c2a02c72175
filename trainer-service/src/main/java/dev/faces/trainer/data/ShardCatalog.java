package dev.faces.trainer.data;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shards of every dataset the trainer has heard of, from {@code faces.datasets} events. Written to a
 * local file after every change, so a restarted trainer knows them without replaying the topic.
 * The same event twice changes nothing.
 */
public final class ShardCatalog {
    private final Path file;
    private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();

    /** One dataset: its shards by index, and the completion event once the ingest has finished. */
    public record Dataset(String datasetId, TreeMap<Integer, DatasetBatch> shards, DatasetCompleted completed) {
        public boolean isComplete() {
            return completed != null && shards.size() >= completed.shardCount();
        }

        public int imageCount() {
            return shards.values().stream().mapToInt(DatasetBatch::imageCount).sum();
        }

        public List<DatasetBatch> shardList() {
            return List.copyOf(shards.values());
        }
    }

    public ShardCatalog(Path file) {
        this.file = file;
        load();
    }

    /** @return true when the event changed the catalogue */
    public synchronized boolean add(DatasetBatch batch) {
        Dataset ds = datasets.computeIfAbsent(batch.datasetId(), id -> new Dataset(id, new TreeMap<>(), null));
        DatasetBatch previous = ds.shards().put(batch.shardIndex(), batch);
        if (batch.equals(previous)) {
            return false;
        }
        save();
        return true;
    }

    public synchronized boolean complete(DatasetCompleted completed) {
        Dataset ds = datasets.get(completed.datasetId());
        TreeMap<Integer, DatasetBatch> shards = ds == null ? new TreeMap<>() : ds.shards();
        if (ds != null && completed.equals(ds.completed())) {
            return false;
        }
        datasets.put(completed.datasetId(), new Dataset(completed.datasetId(), shards, completed));
        save();
        return true;
    }

    public synchronized Optional<Dataset> get(String datasetId) {
        Dataset ds = datasets.get(datasetId);
        return ds == null ? Optional.empty()
                : Optional.of(new Dataset(ds.datasetId(), new TreeMap<>(ds.shards()), ds.completed()));
    }

    public synchronized List<String> datasetIds() {
        return datasets.keySet().stream().sorted().toList();
    }

    private record Stored(List<DatasetBatch> shards, DatasetCompleted completed) {
    }

    private void save() {
        Map<String, Stored> out = new TreeMap<>();
        datasets.forEach((id, ds) -> out.put(id, new Stored(new ArrayList<>(ds.shards().values()), ds.completed())));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, EventCodec.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the shard catalogue " + file, e);
        }
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            Map<String, Stored> in = EventCodec.json().readValue(file.toFile(), new TypeReference<>() { });
            in.forEach((id, stored) -> {
                TreeMap<Integer, DatasetBatch> shards = new TreeMap<>();
                stored.shards().forEach(b -> shards.put(b.shardIndex(), b));
                datasets.put(id, new Dataset(id, shards, stored.completed()));
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shard catalogue " + file + ": " + e.getMessage(), e);
        }
    }
}
