package dev.faces.trainer.data;

import dev.faces.core.DatasetManifest;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The shards of every dataset, in memory. The dataset manifests in S3 are the source of truth: the catalogue is
 * rebuilt from them on start, and a dataset it does not know (or not completely) is looked up there, at most
 * once per {@code lookupInterval}. {@code faces.datasets} events are the fast path. Nothing here lives on local
 * disk, so a trainer that starts with an empty disk, behind a consumer group already past every dataset event,
 * knows every complete dataset. The same event twice changes nothing.
 */
public final class ShardCatalog {
    private static final Logger LOG = Logger.getLogger(ShardCatalog.class.getName());

    private final Function<String, Optional<DatasetManifest>> manifests;
    private final long lookupIntervalNanos;
    private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();
    private final Map<String, Long> lastLookup = new ConcurrentHashMap<>();

    /** One dataset: its shards by index, and the completion once the ingest has finished. */
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

        /** Why a run cannot train on this dataset, or null: the tutorial's DCGAN takes 64x64 images only. */
        public String problem() {
            return shards.values().stream().filter(s -> s.imageSize() != DatasetManifest.IMAGE_SIZE).findFirst()
                    .map(s -> "dataset " + datasetId + " shard " + s.shardIndex() + " holds " + s.imageSize() + "x"
                            + s.imageSize() + " images; the DCGAN takes " + DatasetManifest.IMAGE_SIZE + "x"
                            + DatasetManifest.IMAGE_SIZE)
                    .orElse(null);
        }
    }

    /** @param manifests reads a dataset's manifest from S3 (empty when there is none yet) */
    public ShardCatalog(Function<String, Optional<DatasetManifest>> manifests, java.time.Duration lookupInterval) {
        this.manifests = manifests;
        this.lookupIntervalNanos = lookupInterval.toNanos();
    }

    /** @return true when the event changed the catalogue */
    public synchronized boolean add(DatasetBatch batch) {
        Dataset ds = datasets.computeIfAbsent(batch.datasetId(), id -> new Dataset(id, new TreeMap<>(), null));
        DatasetBatch previous = ds.shards().put(batch.shardIndex(), batch);
        return !batch.equals(previous);
    }

    public synchronized boolean complete(DatasetCompleted completed) {
        Dataset ds = datasets.get(completed.datasetId());
        TreeMap<Integer, DatasetBatch> shards = ds == null ? new TreeMap<>() : ds.shards();
        if (ds != null && completed.equals(ds.completed())) {
            return false;
        }
        datasets.put(completed.datasetId(), new Dataset(completed.datasetId(), shards, completed));
        return true;
    }

    /** Puts a manifest's dataset in the catalogue; it replaces what events had said (the manifest is the truth). */
    public synchronized void add(DatasetManifest manifest) {
        TreeMap<Integer, DatasetBatch> shards = new TreeMap<>();
        manifest.shards().forEach(s -> shards.put(s.shardIndex(), s));
        datasets.put(manifest.datasetId(), new Dataset(manifest.datasetId(), shards, manifest.completed()));
    }

    /** What the catalogue knows now, without asking S3. */
    public synchronized Optional<Dataset> get(String datasetId) {
        Dataset ds = datasets.get(datasetId);
        return ds == null ? Optional.empty()
                : Optional.of(new Dataset(ds.datasetId(), new TreeMap<>(ds.shards()), ds.completed()));
    }

    /**
     * The dataset if it is complete, asking S3 for its manifest when the catalogue does not have it complete
     * (throttled). A storage failure propagates: the caller pauses rather than deciding the dataset is absent.
     */
    public Optional<Dataset> complete(String datasetId) {
        Optional<Dataset> known = get(datasetId).filter(Dataset::isComplete);
        if (known.isPresent()) {
            return known;
        }
        long now = System.nanoTime();
        Long last = lastLookup.get(datasetId);
        if (last != null && now - last < lookupIntervalNanos) {
            return Optional.empty();
        }
        lastLookup.put(datasetId, now);
        Optional<DatasetManifest> manifest = manifests.apply(datasetId);
        manifest.ifPresent(m -> {
            LOG.info("dataset " + datasetId + " found in S3: " + m.shards().size() + " shards, "
                    + m.completed().imageCount() + " images");
            add(m);
        });
        return get(datasetId).filter(Dataset::isComplete);
    }

    public synchronized List<String> datasetIds() {
        return datasets.keySet().stream().sorted().toList();
    }
}
