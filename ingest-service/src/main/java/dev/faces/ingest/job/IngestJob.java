package dev.faces.ingest.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.OutageRetry;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.events.EventCodec;
import dev.faces.ingest.preprocess.Preprocessor;
import dev.faces.ingest.preprocess.TutorialTransform;
import dev.faces.ingest.source.ImageSource;
import dev.faces.ingest.source.SourceEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.logging.Logger;

/**
 * One ingest: every entry of the source decoded and preprocessed exactly like the tutorial, in parallel, kept
 * in file-name order, cut into shards of {@code shardSize}, written to S3 with their sidecars and announced one
 * event per shard; then rejected.jsonl, the manifest and the completed event.
 *
 * <p>Deterministic: the same source and settings give the same shards, so a job restarted after a crash skips
 * the S3 writes of shards already there (re-announcing them; consumers ignore duplicates), and a job whose
 * manifest already records the same settings writes and announces nothing.
 */
public final class IngestJob {
    private static final Logger LOG = Logger.getLogger(IngestJob.class.getName());

    /**
     * Where events go; each call returns once the broker has the record, or throws
     * {@link CloudEventProducer.UnavailableException} when the broker is away: the job then waits and sends it again.
     */
    public interface Events {
        void batch(DatasetBatch batch);

        void completed(DatasetCompleted completed);
    }

    public record Settings(String datasetId, String partition, int limit, int shardSize) {
    }

    private final ObjectStore store;
    private final String bucket;
    private final Events events;
    private final ExecutorService workers;
    private final int parallelism;
    private final Announced announced;
    private final OutageRetry.Waiting kafkaAway;
    /** The dataset's keys in S3 when this run started: what an interrupted run wrote. */
    private java.util.Set<String> existing = java.util.Set.of();

    /**
     * @param announced what earlier attempts of this job announced
     * @param kafkaAway told before each wait for the broker
     */
    IngestJob(ObjectStore store, String bucket, Events events, ExecutorService workers, int parallelism,
              Announced announced, OutageRetry.Waiting kafkaAway) {
        this.store = store;
        this.bucket = bucket;
        this.events = events;
        this.workers = workers;
        this.parallelism = parallelism;
        this.announced = announced;
        this.kafkaAway = kafkaAway;
    }

    public void run(ImageSource source, Settings settings, IngestProgress progress) throws IOException, InterruptedException {
        String id = settings.datasetId();
        if (alreadyIngested(source, settings)) {
            // The completed event may have been lost after the manifest was written (a crash, Kafka away):
            // announce it again; consumers are idempotent.
            announceCompleted(completedFromManifest(id), progress);
            progress.start(0);
            progress.finish(IngestProgress.Status.completed, "already ingested with the same source and settings: nothing to do");
            LOG.info("dataset " + id + " is already ingested from " + source.describe() + "; nothing written");
            return;
        }
        List<SourceEntry> entries = source.entries();
        if (settings.limit() > 0 && entries.size() > settings.limit()) {
            entries = entries.subList(0, settings.limit());
        }
        List<ImageSource.Rejection> rejected = new ArrayList<>(source.refused());
        progress.refused(rejected.size());
        progress.start(entries.size());
        LOG.info(String.format("ingest %s: %d files from %s, %d refused before decoding", id, entries.size(),
                source.describe(), rejected.size()));

        existing = new java.util.HashSet<>(store.list(bucket, ObjectKeys.datasetPrefix(id)));
        List<ObjectNode> shards = new ArrayList<>();
        ShardWrites writes = new ShardWrites(shards, written -> {
            if (!announced.has(written.batch())) {
                untilDelivered(() -> events.batch(written.batch()), progress);
                announced.add(written.batch());
            }
            progress.shardWritten();
        });
        try {
            preprocessAndWrite(id, entries, settings, progress, rejected, writes);
        } finally {
            writes.close();
        }
        writeRejected(id, rejected);
        int images = shards.stream().mapToInt(s -> s.path("count").asInt()).sum();
        byte[] manifest = manifest(source, settings, shards, images, rejected.size());
        store.put(bucket, ObjectKeys.manifest(id), manifest, "application/json");
        holdForDrill(id);
        announceCompleted(new DatasetCompleted(id, shards.size(), images, rejected.size(), ObjectKeys.manifest(id)),
                progress);
        progress.finish(IngestProgress.Status.completed, null);
        LOG.info(String.format("ingest %s done: %d images in %d shards, %d rejected, %.0f images/s", id, images,
                shards.size(), rejected.size(), progress.imagesPerSecond()));
    }

    private void announceCompleted(DatasetCompleted completed, IngestProgress progress) {
        if (!announced.completed()) {
            untilDelivered(() -> events.completed(completed), progress);
            announced.completed(true);
        }
    }

    /** Sends an event, waiting out a broker outage however long it lasts: the job goes on once Kafka is back. */
    private void untilDelivered(Runnable send, IngestProgress progress) {
        try {
            new OutageRetry(CloudEventProducer.UnavailableException.class::isInstance, Duration.ofSeconds(1),
                    Duration.ofSeconds(30), kafkaAway).run(send::run);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
        progress.waitingOver();
    }

    private void preprocessAndWrite(String id, List<SourceEntry> entries, Settings settings, IngestProgress progress,
                                    List<ImageSource.Rejection> rejected, ShardWrites writes)
            throws IOException, InterruptedException {
        // A sliding window of preprocessing in flight (about 12 KB an image) keeps every core busy while the
        // writers put shards to S3.
        int inFlight = Math.max(1024, parallelism * 256) / PreprocessedChunk.FILES;
        java.util.ArrayDeque<Future<PreprocessedChunk>> queue = new java.util.ArrayDeque<>();
        ShardBuffer.Pool buffers = new ShardBuffer.Pool();
        ShardBuffer shard = new ShardBuffer(settings.shardSize(), buffers);
        int next = 0;
        long lastLog = System.nanoTime();
        while (next < entries.size() || !queue.isEmpty()) {
            while (next < entries.size() && queue.size() < inFlight) {
                List<SourceEntry> run = entries.subList(next, Math.min(entries.size(), next + PreprocessedChunk.FILES));
                next += run.size();
                queue.add(workers.submit(() -> PreprocessedChunk.of(run)));
            }
            PreprocessedChunk chunk;
            try {
                chunk = queue.poll().get();
            } catch (ExecutionException e) {
                throw new IOException("preprocessing failed: " + e.getCause(), e.getCause());
            }
            for (int i = 0; i < chunk.size(); i++) {
                String rejection = chunk.rejections()[i];
                progress.imageDone(rejection == null);
                if (rejection != null) {
                    rejected.add(new ImageSource.Rejection(chunk.files()[i], rejection));
                    continue;
                }
                shard.add(chunk.files()[i], chunk.pixels(), i * Preprocessor.IMAGE_BYTES);
                if (shard.isFull()) {
                    submitShard(writes, id, shard);
                    shard = new ShardBuffer(settings.shardSize(), buffers);
                }
            }
            if (System.nanoTime() - lastLog > 5_000_000_000L) {
                lastLog = System.nanoTime();
                LOG.info(String.format("ingest %s: %d/%d files, %d rejected, %.0f images/s, ETA %ds", id,
                        progress.processed(), progress.total(), progress.rejected(), progress.imagesPerSecond(),
                        progress.etaSeconds()));
            }
        }
        if (!shard.isEmpty()) {
            submitShard(writes, id, shard);
        }
        writes.drain();
    }

    private void submitShard(ShardWrites writes, String id, ShardBuffer shard) throws IOException, InterruptedException {
        writes.submit(index -> {
            try {
                return writeShard(id, index, shard);
            } finally {
                shard.release();
            }
        });
    }

    private ShardWrites.Written writeShard(String id, int index, ShardBuffer shard) {
        int n = shard.count();
        ArrayNode files = EventCodec.json().createArrayNode();
        shard.files().forEach(files::add);
        byte[] npy = shard.npy();
        String sha = shard.sha256();
        ObjectNode sidecar = EventCodec.json().createObjectNode();
        sidecar.put("count", n);
        sidecar.put("sha256", sha);
        sidecar.set("files", files);
        byte[] sidecarBytes = sidecar.toString().getBytes(StandardCharsets.UTF_8);
        // Only a shard a crashed run left behind is checked object by object (one listing at the start says which)
        boolean present = existing.contains(ObjectKeys.shardIndex(id, index))
                && store.get(bucket, ObjectKeys.shardIndex(id, index))
                .map(stored -> java.util.Arrays.equals(stored, sidecarBytes)).orElse(false)
                && store.exists(bucket, ObjectKeys.shard(id, index));
        if (!present) {
            store.put(bucket, ObjectKeys.shard(id, index), npy, "application/octet-stream", sha);
            store.put(bucket, ObjectKeys.shardIndex(id, index), sidecarBytes, "application/json");
        }
        DatasetBatch batch = new DatasetBatch(id, index, ObjectKeys.shard(id, index), n, TutorialTransform.SIZE, sha,
                (long) npy.length);
        ObjectNode entry = EventCodec.json().createObjectNode();
        entry.put("index", index);
        entry.put("key", ObjectKeys.shard(id, index));
        entry.put("count", n);
        entry.put("sha256", sha);
        entry.put("bytes", npy.length);
        return new ShardWrites.Written(batch, entry);
    }

    private void writeRejected(String id, List<ImageSource.Rejection> rejected) {
        StringBuilder sb = new StringBuilder();
        for (ImageSource.Rejection r : rejected) {
            ObjectNode line = EventCodec.json().createObjectNode();
            line.put("file", r.file());
            line.put("reason", r.reason());
            sb.append(line).append('\n');
        }
        store.put(bucket, ObjectKeys.rejected(id), sb.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    }

    private static byte[] manifest(ImageSource source, Settings s, List<ObjectNode> shards, int images, int rejected)
            throws IOException {
        ObjectNode m = EventCodec.json().createObjectNode();
        m.put("datasetId", s.datasetId());
        m.set("source", settingsNode(source, s));
        m.put("preprocessing", "torchvision Resize(64) (PIL antialiased bilinear) + CenterCrop(64); uint8 RGB [N,3,64,64]");
        m.put("imageSize", TutorialTransform.SIZE);
        m.put("imageCount", images);
        m.put("rejectedCount", rejected);
        m.put("rejectedKey", ObjectKeys.rejected(s.datasetId()));
        m.put("shardCount", shards.size());
        m.putArray("shards").addAll(shards);
        m.put("createdAt", Instant.now().toString());
        return EventCodec.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
    }

    private static ObjectNode settingsNode(ImageSource source, Settings s) {
        ObjectNode n = EventCodec.json().createObjectNode();
        n.put("location", source.describe());
        n.put("partition", s.partition());
        n.put("limit", s.limit());
        n.put("shardSize", s.shardSize());
        return n;
    }

    /** The completed event a manifest stands for. */
    private DatasetCompleted completedFromManifest(String id) throws IOException {
        JsonNode m = EventCodec.json().readTree(store.get(bucket, ObjectKeys.manifest(id)).orElseThrow(() ->
                new IOException("the manifest of " + id + " vanished")));
        return new DatasetCompleted(id, m.path("shardCount").asInt(), m.path("imageCount").asInt(),
                m.path("rejectedCount").asInt(), ObjectKeys.manifest(id));
    }

    /**
     * A test hook for the drill that kills the ingest between the manifest and the completed event: for the
     * dataset named by {@code FACES_INGEST_DRILL_HOLD_DATASET}, it waits there for
     * {@code FACES_INGEST_DRILL_HOLD_MS}. Unset in production.
     */
    private static void holdForDrill(String datasetId) throws InterruptedException {
        String hold = System.getenv("FACES_INGEST_DRILL_HOLD_MS");
        if (hold != null && !hold.isBlank() && datasetId.equals(System.getenv("FACES_INGEST_DRILL_HOLD_DATASET"))) {
            LOG.info("drill hook: manifest written; holding " + hold + " ms before the completed event");
            Thread.sleep(Long.parseLong(hold.trim()));
        }
    }

    private boolean alreadyIngested(ImageSource source, Settings s) {
        return store.get(bucket, ObjectKeys.manifest(s.datasetId())).map(bytes -> {
            try {
                return EventCodec.json().readTree(bytes).path("source").equals(settingsNode(source, s));
            } catch (IOException e) {
                return false;
            }
        }).orElse(false);
    }
}
