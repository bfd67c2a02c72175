package dev.faces.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** pipeline-core's ObjectStore against the real S3 server. */
@ExtendWith(LocalStackExtension.class)
class ObjectStoreTest {

    @Test
    void writesReadsListsAndDeletes(LocalStack stack) {
        ObjectStore store = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        String bucket = ObjectKeys.CHECKPOINTS_BUCKET;
        String run = "run-" + UUID.randomUUID();
        store.put(bucket, ObjectKeys.runJson(run), "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        store.put(bucket, ObjectKeys.generator(run, 1), new byte[] {1, 2, 3}, "application/octet-stream");

        assertThat(store.list(bucket, ObjectKeys.runPrefix(run)))
                .containsExactly(ObjectKeys.generator(run, 1), ObjectKeys.runJson(run));
        assertThat(store.get(bucket, ObjectKeys.generator(run, 1))).hasValue(new byte[] {1, 2, 3});
        assertThat(store.exists(bucket, ObjectKeys.runJson(run))).isTrue();

        store.delete(bucket, ObjectKeys.runJson(run));
        assertThat(store.exists(bucket, ObjectKeys.runJson(run))).isFalse();
        assertThat(store.get(bucket, ObjectKeys.runJson(run))).isEmpty();
        assertThat(store.checkBuckets(LocalStack.BUCKETS)).isEmpty();
        assertThat(store.checkBuckets(List.of("no-such-bucket"))).hasValueSatisfying(
                problem -> assertThat(problem).startsWith("bucket(s) no-such-bucket missing at "));
    }

    @Test
    void anUnreachableServerIsReportedWithTheEndpointOnceTheRetryBudgetIsSpent() {
        ObjectStore store = new ObjectStore("http://localhost:" + Ports.free(), "k", "s", "us-east-1",
                Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        assertThat(store.checkBuckets(List.of("faces-datasets"))).hasValueSatisfying(
                problem -> assertThat(problem).startsWith("S3 at http://localhost:").contains("is not reachable"));
        assertThatThrownBy(() -> store.get("faces-datasets", "x"))
                .isInstanceOf(ObjectStore.StorageException.class).hasMessageStartingWith("get s3://faces-datasets/x at ");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    @Test
    void aReadWaitsForAnS3ServerThatIsRestartingButA4xxFailsAtOnce(@TempDir Path dir) throws Exception {
        S3Server s3 = new S3Server(Ports.free(), dir, dir.resolve("s3.log"));
        ObjectStore store = new ObjectStore(s3.endpoint(), S3Server.DEV_ACCESS_KEY, S3Server.DEV_SECRET_KEY, "us-east-1");
        CompletableFuture<Optional<byte[]>> read = CompletableFuture.supplyAsync(() -> store.get("faces-datasets", "x"));
        Thread.sleep(1500);
        assertThat(read).isNotDone();
        try (S3Server started = s3.start()) {
            assertThat(read.get(60, TimeUnit.SECONDS)).isEmpty(); // answered once the server is up (no bucket: 404)
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> store.put("faces-datasets", "x", new byte[0], "text/plain"))
                    .isInstanceOf(ObjectStore.StorageException.class).hasMessageContaining("bucket does not exist");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
