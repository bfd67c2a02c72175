package dev.faces.ingest.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.events.DatasetCompleted;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.stack.LocalStack;
import dev.faces.stack.Ports;
import dev.faces.stack.S3Server;
import dev.faces.stack.SampleFaces;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ingest job waits out an outage of Kafka or of S3 in its own process, and ends as if nothing happened: every
 * shard stored and announced once. The outages are real for S3 (its server is stopped mid-job and started again)
 * and a broker's refusal for Kafka (the producer's {@link CloudEventProducer.UnavailableException}).
 */
class OutagesTest {
    private static final String BUCKET = "faces-datasets";

    @TempDir
    Path tmp;
    private IngestJobs jobs;

    /** Records what was announced; refuses sends while the broker is "away". */
    static final class Broker implements IngestJob.Events {
        final List<Integer> shards = new CopyOnWriteArrayList<>();
        final List<DatasetCompleted> completions = new CopyOnWriteArrayList<>();
        final List<String> messagesWhileAway = new CopyOnWriteArrayList<>();
        final AtomicInteger refusals = new AtomicInteger();
        volatile Supplier<String> progressMessage = () -> null;
        volatile Runnable onFirstShard = () -> { };

        @Override
        public void batch(DatasetBatch batch) {
            refuseWhileAway();
            if (shards.isEmpty()) {
                onFirstShard.run();
            }
            shards.add(batch.shardIndex());
        }

        @Override
        public void completed(DatasetCompleted completed) {
            refuseWhileAway();
            completions.add(completed);
        }

        private void refuseWhileAway() {
            if (refusals.getAndDecrement() > 0) {
                messagesWhileAway.add(String.valueOf(progressMessage.get()));
                throw new CloudEventProducer.UnavailableException("Kafka did not take the record", null);
            }
        }
    }

    @AfterEach
    void close() {
        if (jobs != null) {
            jobs.close();
        }
    }

    @Test
    void aJobWaitsOutTheBrokerAndAnnouncesEveryShardOnce() throws Exception {
        LocalStack stack = LocalStack.shared();
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        Broker broker = new Broker();
        broker.refusals.set(4); // the first shard's event is refused four times, then the broker is back
        IngestJobs.Job job = submit(s3, broker, "outage-kafka-" + System.nanoTime());

        IngestProgress done = awaitEnd(job);

        assertThat(done.status()).as(done.message()).isEqualTo(IngestProgress.Status.completed);
        assertThat(broker.shards).containsExactly(0, 1, 2);
        assertThat(broker.completions).hasSize(1);
        assertThat(broker.messagesWhileAway.get(1)).startsWith("waiting: Kafka unavailable (attempt 1)");
        assertThat(done.message()).isNull();
    }

    @Test
    void aJobWaitsOutAnS3OutageMidJobAndEndsWithEveryShardStoredAndAnnouncedOnce() throws Exception {
        S3Server server = new S3Server(Ports.free(), tmp.resolve("s3"), tmp.resolve("s3.log")).start();
        try {
            MinioClient.builder().endpoint(server.endpoint()).credentials(S3Server.DEV_ACCESS_KEY, S3Server.DEV_SECRET_KEY)
                    .build().makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
            // A short retry budget: each S3 call gives up after a second, so the job itself must wait the outage out.
            ObjectStore s3 = new ObjectStore(server.endpoint(), S3Server.DEV_ACCESS_KEY, S3Server.DEV_SECRET_KEY,
                    "us-east-1", Duration.ofSeconds(1));
            Broker broker = new Broker();
            Thread restart = new Thread(() -> {
                try {
                    Thread.sleep(4000);
                    server.start();
                } catch (InterruptedException ignored) {
                    // the test ended first
                }
            });
            broker.onFirstShard = () -> { // S3 goes away once the first shard is stored, for about 4 s
                server.close();
                restart.start();
            };
            String dataset = "outage-s3";
            IngestJobs.Job job = submit(s3, broker, dataset);

            IngestProgress done = awaitEnd(job);
            restart.join();

            assertThat(done.status()).as(done.message()).isEqualTo(IngestProgress.Status.completed);
            assertThat(broker.shards).containsExactly(0, 1, 2);
            assertThat(broker.completions).hasSize(1);
            for (int i = 0; i < 3; i++) {
                assertThat(s3.exists(BUCKET, ObjectKeys.shard(dataset, i))).isTrue();
            }
            assertThat(s3.exists(BUCKET, ObjectKeys.manifest(dataset))).isTrue();
            assertThat(seen).anyMatch(m -> m.startsWith("waiting: S3 unavailable (attempt 1)"));
        } finally {
            server.close();
        }
    }

    private final List<String> seen = new CopyOnWriteArrayList<>();

    private IngestJobs.Job submit(ObjectStore s3, Broker broker, String dataset) throws Exception {
        Path faces = tmp.resolve("faces");
        SampleFaces.write(faces, 30, 5);
        jobs = new IngestJobs(s3, BUCKET, broker, List.of(tmp), List.of(BUCKET), 10, 10 << 20, 100 << 20, 2)
                .outageWaits(Duration.ofMillis(200), Duration.ofSeconds(1));
        IngestJobs.Job job = jobs.submit(new IngestJobs.Request(faces.toString(), dataset, null, null));
        broker.progressMessage = () -> job.progress().message();
        return job;
    }

    /** Polls the job to its end, keeping every message it showed on the way. */
    private IngestProgress awaitEnd(IngestJobs.Job job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            IngestProgress p = job.progress();
            seen.add(String.valueOf(p.message()));
            if (p.status() == IngestProgress.Status.completed || p.status() == IngestProgress.Status.failed) {
                return p;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the job did not end in 2 minutes: " + job.progress().message());
    }
}
