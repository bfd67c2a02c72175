package dev.faces.generator.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The catalogue on the real S3 server: what it reads, what it refuses, and how long it remembers. */
@ExtendWith(LocalStackExtension.class)
class RunCatalogTest {
    private static final String BUCKET = ObjectKeys.CHECKPOINTS_BUCKET;

    private static ObjectStore store(LocalStack stack) {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1", Duration.ofSeconds(5));
    }

    private static void put(ObjectStore s3, String key, String text) {
        s3.put(BUCKET, key, text.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static String runJson(String runId, String status, double createdAt) {
        return "{\"runId\":\"" + runId + "\",\"request\":{\"datasetId\":\"ds\",\"runId\":\"" + runId + "\",\"epochs\":3,"
                + "\"batchSize\":128,\"learningRate\":2.0E-4,\"beta1\":0.5,\"seed\":999},\"status\":\"" + status + "\","
                + "\"epochsDone\":2,\"diverging\":false,\"createdAt\":" + createdAt + ",\"updatedAt\":" + (createdAt + 60)
                + ",\"swdFloor\":12.5,\"device\":\"cpu()\"}";
    }

    @Test
    void readsRunsTheirEpochsMetricsAndGridsThroughTheLayout(LocalStack stack) {
        ObjectStore s3 = store(stack);
        put(s3, ObjectKeys.runJson("cat-old"), runJson("cat-old", "completed", 1000));
        put(s3, ObjectKeys.runJson("cat-new"), runJson("cat-new", "running", 2000));
        put(s3, ObjectKeys.metricsLog("cat-new"), "{\"type\":\"step\",\"step\":50,\"lossD\":1.0,\"imagesPerSecond\":40.0}\n"
                + "{\"type\":\"epoch\",\"epoch\":1,\"step\":60,\"lossD\":0.9,\"swd\":200.0,\"imagesPerSecond\":41.5}\n"
                + "{\"type\":\"ep"); // a last line cut short
        s3.put(BUCKET, ObjectKeys.samples("cat-new", 1), new byte[] {1, 2, 3}, "image/png");
        s3.put(BUCKET, ObjectKeys.samplesEma("cat-new", 1), new byte[] {5, 6}, "image/png");
        put(s3, ObjectKeys.checkpointManifest("cat-new", 1), "{}");
        s3.put(BUCKET, ObjectKeys.samples("cat-new", 2), new byte[] {4}, "image/png"); // epoch 2 not committed yet
        RunCatalog catalog = new RunCatalog(s3, BUCKET, Duration.ofSeconds(5));

        assertThat(catalog.runs()).extracting(r -> r.path("runId").asText()).containsSubsequence("cat-new", "cat-old");
        var summary = catalog.runs().stream().filter(r -> r.path("runId").asText().equals("cat-new")).findFirst().orElseThrow();
        assertThat(summary.path("imagesPerSecond").asDouble()).isEqualTo(41.5);
        assertThat(summary.path("finishedAt").isNull()).isTrue();
        assertThat(summary.path("hyperParameters").path("batchSize").asInt()).isEqualTo(128);
        assertThat(summary.path("device").asText()).isEqualTo("cpu()");

        var run = catalog.run("cat-new").orElseThrow();
        assertThat(run.path("epochList").toString())
                .isEqualTo("[{\"epoch\":1,\"complete\":true,\"samples\":true,\"samplesEma\":true},"
                        + "{\"epoch\":2,\"complete\":false,\"samples\":true,\"samplesEma\":false}]");
        assertThat(catalog.samplesEma("cat-new", 1)).contains(new byte[] {5, 6});
        assertThat(catalog.metrics("cat-new").orElseThrow()).hasSize(2);
        assertThat(catalog.samples("cat-new", 1)).contains(new byte[] {1, 2, 3});
        assertThat(catalog.samples("cat-new", 3)).isEmpty();
        assertThat(catalog.run("no-such-run")).isEmpty();
        assertThat(catalog.metrics("no-such-run")).isEmpty();
    }

    @Test
    void refusesIdsThatAreNotRunIds(LocalStack stack) {
        RunCatalog catalog = new RunCatalog(store(stack), BUCKET, Duration.ofSeconds(5));
        for (String bad : new String[] {"..", "../faces-datasets", "a/b", "", ".hidden", "x".repeat(200)}) {
            assertThatThrownBy(() -> catalog.run(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> catalog.samples(bad, 1)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> catalog.samples("cat-new", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void remembersReadsForItsTtlAndAMissingGridOnlyBriefly(LocalStack stack) {
        ObjectStore s3 = store(stack);
        AtomicLong now = new AtomicLong();
        put(s3, ObjectKeys.runJson("cat-ttl"), runJson("cat-ttl", "running", 3000));
        RunCatalog catalog = new RunCatalog(s3, BUCKET, Duration.ofSeconds(5), now::get);
        assertThat(catalog.run("cat-ttl").orElseThrow().path("status").asText()).isEqualTo("running");
        assertThat(catalog.samples("cat-ttl", 1)).isEmpty();

        put(s3, ObjectKeys.runJson("cat-ttl"), runJson("cat-ttl", "completed", 3000));
        s3.put(BUCKET, ObjectKeys.samples("cat-ttl", 1), new byte[] {9}, "image/png");
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(catalog.run("cat-ttl").orElseThrow().path("status").asText()).as("cached").isEqualTo("running");
        assertThat(catalog.samples("cat-ttl", 1)).as("cached absence").isEmpty();

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(catalog.run("cat-ttl").orElseThrow().path("status").asText()).isEqualTo("completed");
        assertThat(catalog.samples("cat-ttl", 1)).contains(new byte[] {9});

        s3.delete(BUCKET, ObjectKeys.samples("cat-ttl", 1));
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(catalog.samples("cat-ttl", 1)).as("a grid never changes once written: kept for an hour")
                .contains(new byte[] {9});
    }
}
