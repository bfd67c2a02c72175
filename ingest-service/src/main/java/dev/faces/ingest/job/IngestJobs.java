package dev.faces.ingest.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.Ids;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.OutageRetry;
import dev.faces.core.events.EventCodec;
import dev.faces.ingest.source.FolderSource;
import dev.faces.ingest.source.ImageSource;
import dev.faces.ingest.source.Partition;
import dev.faces.ingest.source.ZipSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Ingest jobs, one at a time in submission order, with their progress kept for the API. */
public final class IngestJobs implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IngestJobs.class.getName());

    public record Request(String source, String datasetId, Integer limit, String partition) {
    }

    public record Job(String id, String datasetId, String source, IngestJob.Settings settings, IngestProgress progress) {
    }

    private final ObjectStore store;
    private final String bucket;
    private final IngestJob.Events events;
    private final LocalSources localSources;
    private final List<String> allowedBuckets;
    private final int shardSize;
    private final long maxFileBytes;
    private final long maxZipBytes;
    private final int threads;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> new Thread(r, "ingest-job"));
    private final ExecutorService workers;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private Duration outageFirstWait = Duration.ofSeconds(1);
    private Duration outageMaxWait = Duration.ofSeconds(30);

    /**
     * @param allowedRoots   local sources must lie under these, after symlinks are resolved
     * @param allowedBuckets s3:// sources must be in these buckets
     */
    public IngestJobs(ObjectStore store, String bucket, IngestJob.Events events, List<Path> allowedRoots,
                      List<String> allowedBuckets, int shardSize, long maxFileBytes, long maxZipBytes, int threads) {
        this.store = store;
        this.bucket = bucket;
        this.events = events;
        this.localSources = new LocalSources(allowedRoots);
        this.allowedBuckets = List.copyOf(allowedBuckets);
        this.shardSize = shardSize;
        this.maxFileBytes = maxFileBytes;
        this.maxZipBytes = maxZipBytes;
        this.threads = threads;
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ingest-decode");
            t.setDaemon(true);
            return t;
        });
    }

    /** How long a job waits before it tries again after an outage: first, and at most. */
    IngestJobs outageWaits(Duration first, Duration max) {
        this.outageFirstWait = first;
        this.outageMaxWait = max;
        return this;
    }

    /** Validates the request (throws IllegalArgumentException with what is allowed) and queues the job. */
    public Job submit(Request request) {
        if (request.source() == null || request.source().isBlank()) {
            throw new IllegalArgumentException("'source' is required: a folder or zip under an allowed root, or s3://bucket/key.zip");
        }
        Partition.Split split = Partition.split(request.partition());
        int limit = request.limit() == null ? 0 : request.limit();
        if (limit < 0) {
            throw new IllegalArgumentException("'limit' must be >= 0 (0: every image), was " + limit);
        }
        boolean s3 = request.source().startsWith("s3://");
        Path local = s3 ? null : localSources.allowedPath(request.source());
        if (s3) {
            S3Source.parse(request.source(), allowedBuckets);
        }
        String datasetId = request.datasetId() != null ? request.datasetId() : LocalSources.defaultId(request.source());
        Ids.requireSafe("datasetId", datasetId);
        IngestJob.Settings settings = new IngestJob.Settings(datasetId, split.name(), limit, shardSize);
        saveRequest(new Request(request.source(), datasetId, limit, split.name()), null);
        Job job = new Job("ingest-" + Instant.now().toEpochMilli() + "-" + UUID.randomUUID().toString().substring(0, 4),
                datasetId, request.source(), settings, new IngestProgress());
        jobs.put(job.id(), job);
        runner.submit(() -> run(job, local, split));
        return job;
    }

    /**
     * Queues again every ingest that a crash or a stop interrupted: its request was saved and its manifest was
     * never written. Runs on the job thread, so start-up does not wait for S3.
     */
    public void resumeInterrupted() {
        runner.submit(() -> {
            try {
                List<String> keys = new OutageRetry(IngestJobs::isStorageOutage, outageFirstWait,
                        outageMaxWait, (attempt, next, e) -> LOG.warning("cannot look for interrupted ingests yet: "
                        + e.getMessage() + "; trying again in " + next.toSeconds() + " s"))
                        .call(() -> store.list(bucket, ""));
                for (String key : keys) {
                    if (key.endsWith("/ingest-request.json")) {
                        resumeIfInterrupted(key);
                    }
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot look for interrupted ingests: " + e.getMessage(), e);
            }
        });
    }

    private void resumeIfInterrupted(String key) {
        try {
            JsonNode saved = EventCodec.json().readTree(store.get(bucket, key).orElseThrow());
            String datasetId = saved.path("datasetId").asText();
            if (saved.hasNonNull("failed") || saved.path("announced").asBoolean(false)) {
                return;
            }
            // No manifest: the ingest was interrupted. A manifest but no record of the completed event: the
            // event may be lost, and the re-run (which writes nothing) announces the dataset again.
            LOG.info((store.exists(bucket, ObjectKeys.manifest(datasetId)) ? "announcing again the completed ingest of "
                    : "resuming the interrupted ingest of ") + datasetId + " from " + saved.path("source").asText());
            submit(new Request(saved.path("source").asText(), datasetId, saved.path("limit").asInt(),
                    saved.path("partition").asText()));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "cannot resume the ingest saved in " + key + ": " + e.getMessage(), e);
        }
    }

    /** Records that the dataset's completed event reached the broker: nothing is left to resume. */
    void announced(Request request) {
        saveRequest(request, null, true);
    }

    private void saveRequest(Request request, String failure) {
        saveRequest(request, failure, false);
    }

    private void saveRequest(Request request, String failure, boolean announced) {
        ObjectNode json = EventCodec.json().createObjectNode();
        json.put("source", request.source());
        json.put("datasetId", request.datasetId());
        json.put("limit", request.limit());
        json.put("partition", request.partition());
        json.put("savedAt", Instant.now().toString());
        if (failure != null) {
            json.put("failed", failure);
        }
        if (announced) {
            json.put("announced", true);
        }
        store.put(bucket, ObjectKeys.ingestRequest(request.datasetId()), json.toString().getBytes(StandardCharsets.UTF_8),
                "application/json");
    }

    public Optional<Job> get(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    public List<Job> list() {
        List<Job> list = new ArrayList<>(jobs.values());
        list.sort((a, b) -> b.progress().created().compareTo(a.progress().created()));
        return list;
    }

    /**
     * Runs the job to its end. An outage of S3 or Kafka, however long, is waited out in this process: the job
     * says what it waits for and goes on once the server is back. Only a fault of the job itself fails it.
     */
    private void run(Job job, Path local, Partition.Split split) {
        Request request = new Request(job.source(), job.datasetId(), job.settings().limit(), job.settings().partition());
        Announced announced = new Announced();
        OutageRetry untilStorageBack = new OutageRetry(IngestJobs::isStorageOutage, outageFirstWait,
                outageMaxWait, (attempt, next, e) -> waiting(job, "S3", attempt, next, e));
        try {
            untilStorageBack.run(() -> attempt(job, local, request, split, announced));
        } catch (InterruptedException stopped) {
            // the service stops: the saved request resumes the job on the next start
            LOG.info("ingest job " + job.id() + " stopped with the service; it resumes on the next start");
            job.progress().finish(IngestProgress.Status.failed, "stopped with the service; resumes on its next start");
        } catch (Throwable e) { // an OutOfMemoryError too: marked failed with its reason, never resumed in a loop
            LOG.log(Level.WARNING, "ingest job " + job.id() + " failed", e);
            String reason = e.getMessage() != null && !(e instanceof Error) ? e.getMessage() : e.toString();
            job.progress().finish(IngestProgress.Status.failed, reason);
            try {
                saveRequest(request, reason);
            } catch (RuntimeException notSaved) {
                LOG.log(Level.WARNING, "cannot record the failure of " + job.id(), notSaved);
            }
        }
    }

    private void attempt(Job job, Path local, Request request, Partition.Split split, Announced announced)
            throws IOException, InterruptedException {
        Path download = null;
        try {
            String description = null;
            Path path = local;
            if (path == null) {
                S3Source source = S3Source.parse(job.source(), allowedBuckets);
                download = Files.createTempFile("ingest-", ".zip");
                description = source.fetch(store, download, maxZipBytes);
                path = download;
            }
            try (ImageSource source = open(path, split, description)) {
                new IngestJob(store, bucket, events, workers, threads, announced,
                        (attempt, next, e) -> waiting(job, "Kafka", attempt, next, e))
                        .run(source, job.settings(), job.progress());
            }
            announced(request);
        } finally {
            if (download != null) {
                Files.deleteIfExists(download);
            }
        }
    }

    private static boolean isStorageOutage(RuntimeException e) {
        return e instanceof ObjectStore.StorageException s && s.isOutage();
    }

    private static void waiting(Job job, String server, int attempt, Duration next, RuntimeException e) {
        String why = server + " unavailable (attempt " + attempt + "): " + e.getMessage() + "; trying again in "
                + next.toSeconds() + " s";
        if (attempt == 1 || attempt % 5 == 0) {
            LOG.warning("ingest job " + job.id() + " of " + job.datasetId() + " waits: " + why);
        }
        job.progress().waiting(why);
    }

    private ImageSource open(Path path, Partition.Split split, String description) throws IOException {
        if (Files.isDirectory(path)) {
            Path images = Files.isDirectory(path.resolve("img_align_celeba")) ? path.resolve("img_align_celeba") : path;
            Path partitionFile = Files.exists(images.resolve("list_eval_partition.txt"))
                    ? images.resolve("list_eval_partition.txt") : images.resolveSibling("list_eval_partition.txt");
            Partition partition = Files.exists(partitionFile) ? Partition.parse(Files.readAllBytes(partitionFile)) : null;
            return new FolderSource(images, partition, split, maxFileBytes);
        }
        return new ZipSource(path, split, maxFileBytes, description);
    }

    @Override
    public void close() {
        runner.shutdownNow();
        workers.shutdownNow();
    }
}
