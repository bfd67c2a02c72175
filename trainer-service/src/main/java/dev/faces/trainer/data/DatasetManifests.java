package dev.faces.trainer.data;

import dev.faces.core.DatasetManifest;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.EventFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/** The dataset manifests in S3: which datasets are complete, and their shards. */
public final class DatasetManifests {
    private static final Logger LOG = Logger.getLogger(DatasetManifests.class.getName());

    private final ObjectStore store;
    private final String bucket;

    public DatasetManifests(ObjectStore store, String bucket) {
        this.store = store;
        this.bucket = bucket;
    }

    /** The dataset's manifest; empty if there is none (yet) or it is unreadable (logged). */
    public Optional<DatasetManifest> read(String datasetId) {
        return store.get(bucket, ObjectKeys.manifest(datasetId)).flatMap(bytes -> {
            try {
                return Optional.of(DatasetManifest.parse(datasetId, bytes));
            } catch (EventFormatException e) {
                LOG.warning("manifest of dataset " + datasetId + " ignored: " + e.getMessage());
                return Optional.empty();
            }
        });
    }

    /** Every readable manifest in the bucket. */
    public List<DatasetManifest> all() {
        List<DatasetManifest> out = new ArrayList<>();
        for (String key : store.list(bucket, "")) {
            int slash = key.indexOf('/');
            if (slash > 0 && key.equals(key.substring(0, slash) + "/manifest.json")) {
                String id = key.substring(0, slash);
                if (dev.faces.core.Ids.isSafe(id)) {
                    read(id).ifPresent(out::add);
                }
            }
        }
        return out;
    }
}
