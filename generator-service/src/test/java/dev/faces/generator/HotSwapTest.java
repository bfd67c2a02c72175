package dev.faces.generator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.generator.model.CheckpointLoader;
import dev.faces.generator.model.ModelRegistry;
import dev.faces.stack.LocalStack;
import dev.faces.stack.SampleCheckpoints;
import dev.faces.stack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * On the real broker and S3: checkpoint A is served; B is published under sustained concurrent load and
 * swapped in without a failed request. C is a well-formed generator whose bytes are not the ones its
 * checkpoint.json and event list: it is rejected on the event path, by a restarted service's startup scan (a
 * fresh registry with only S3) and, as D without an event, by the running service's rescan, while B stays
 * served. A checkpoint without checkpoint.json is incomplete, not rejected, and is served once its manifest
 * lands.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@org.junit.jupiter.api.Order(1)
class HotSwapTest {
    static final String ADMIN = "Bearer dev-admin-token";

    @TestHTTPResource("/")
    URL base;

    @Test
    void servesAThenSwapsToBUnderLoadRejectsCAndARestartServesB() throws Exception {
        LocalStack stack = LocalStack.shared();
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        String run = "swap-" + UUID.randomUUID().toString().substring(0, 8);

        given().get("/api/faces/1.png").then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "2").body("detail", containsString("no generator has been loaded yet"));

        publish(stack, checkpoint(s3, run, 1, 1, false));
        awaitCurrent(run + "/epoch-0001");
        byte[] png = given().get("/api/faces/1.png").then().statusCode(200)
                .header("X-Model-Version", run + "/epoch-0001").header("ETag", org.hamcrest.Matchers.notNullValue())
                .extract().asByteArray();
        BufferedImage face = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(face.getWidth()).isEqualTo(64);
        assertThat(face.getHeight()).isEqualTo(64);

        // B under 8 concurrent clients
        HttpClient http = HttpClient.newHttpClient();
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        Map<Integer, Integer> failures = new ConcurrentHashMap<>();
        Set<String> versions = ConcurrentHashMap.newKeySet();
        Thread[] clients = new Thread[8];
        for (int c = 0; c < clients.length; c++) {
            int client = c;
            clients[c] = new Thread(() -> {
                int i = 0;
                while (loading.get()) {
                    try {
                        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(
                                URI.create(base + "api/faces?count=2&seed=" + (client * 1000 + i++))).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                            versions.add(r.headers().firstValue("X-Model-Version").orElse("?"));
                        } else {
                            failures.merge(r.statusCode(), 1, Integer::sum);
                        }
                    } catch (Exception e) {
                        failures.merge(-1, 1, Integer::sum);
                    }
                }
            });
            clients[c].start();
        }
        Thread.sleep(1500);
        publish(stack, checkpoint(s3, run, 2, 2, false));
        awaitCurrent(run + "/epoch-0002");
        Thread.sleep(1500);
        loading.set(false);
        for (Thread t : clients) {
            t.join();
        }
        assertThat(failures).as("non-2xx responses during the swap").isEmpty();
        assertThat(ok.get()).isGreaterThan(10);
        assertThat(versions).contains(run + "/epoch-0001", run + "/epoch-0002");

        // C: well-formed weights, but not the bytes that checkpoint.json and the event list
        publish(stack, checkpoint(s3, run, 3, 3, true));
        awaitModelStatus(run + "/epoch-0003", "rejected");
        given().get("/api/models").then().body("current", equalTo(run + "/epoch-0002"))
                .body("models.find { it.version == '" + run + "/epoch-0003' }.reason", containsString("sha256 mismatch"));
        given().get("/api/faces/5.png").then().statusCode(200).header("X-Model-Version", run + "/epoch-0002");

        // a restarted service: a fresh registry that only has S3 rejects C by its manifest and serves B
        ModelRegistry fresh = new ModelRegistry(ModelRegistry.Policy.latest, 3);
        assertThat(new CheckpointLoader(s3, ObjectKeys.CHECKPOINTS_BUCKET, fresh).scan()).contains(run + "/epoch-0002");
        assertThat(fresh.entry(run, 3).orElseThrow().status()).isEqualTo(ModelRegistry.Status.rejected);
        assertThat(fresh.entry(run, 3).orElseThrow().reason()).contains("sha256 mismatch");

        // D: the same fault with no event at all; the running service's rescan finds and rejects it
        checkpoint(s3, run, 4, 4, true);
        awaitModelStatus(run + "/epoch-0004", "rejected");
        given().get("/api/models").then().body("current", equalTo(run + "/epoch-0002"));

        // pin A (roll back), then follow the policy again
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"runId\":\"" + run + "\",\"epoch\":1}").put("/api/models/current")
                .then().statusCode(200).body("version", equalTo(run + "/epoch-0001")).body("pinned", equalTo(true));
        given().get("/api/faces/5.png").then().header("X-Model-Version", run + "/epoch-0001");
        given().contentType("application/json").body("{\"runId\":\"" + run + "\",\"epoch\":2}")
                .put("/api/models/current").then().statusCode(401);
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"runId\":\"" + run + "\",\"epoch\":3}").put("/api/models/current")
                .then().statusCode(404).body("detail", containsString("rejected"));
        given().header("Authorization", ADMIN).delete("/api/models/current/pin").then().statusCode(200)
                .body("version", equalTo(run + "/epoch-0002"));

        // E: announced before its checkpoint.json exists: incomplete (not rejected), then served once it lands
        CheckpointPublished e = checkpoint(s3, run, 5, 5, false);
        s3.delete(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.checkpointManifest(run, 5));
        publish(stack, e);
        awaitModelStatus(run + "/epoch-0005", "incomplete");
        given().get("/api/models").then().body("current", equalTo(run + "/epoch-0002"));
        checkpoint(s3, run, 5, 5, false);
        awaitCurrent(run + "/epoch-0005");
        assertThat(given().get("/api/models").then().extract().jsonPath().getList("models.findAll { it.status == 'loaded' }"))
                .as("the served, the pinned-then-previous and no more are in memory").hasSizeLessThanOrEqualTo(3);

        // the best policy from S3 alone: a fresh registry knows every complete checkpoint by its manifest's SWD
        String ranked = "ranked-" + UUID.randomUUID().toString().substring(0, 6);
        SampleCheckpoints.write(s3, ranked, 1, 11, 300.0, false);
        SampleCheckpoints.write(s3, ranked, 2, 12, 5.0, false);  // the lowest SWD anywhere in the bucket
        SampleCheckpoints.write(s3, ranked, 3, 13, 200.0, false);
        ModelRegistry best = new ModelRegistry(ModelRegistry.Policy.best, 3);
        assertThat(new CheckpointLoader(s3, ObjectKeys.CHECKPOINTS_BUCKET, best).scan()).contains(ranked + "/epoch-0002");
        assertThat(best.loadedCount()).as("a listing and manifests, not a load of each").isEqualTo(1);
        assertThat(best.entry(ranked, 3).orElseThrow().status()).isEqualTo(ModelRegistry.Status.available);
        assertThat(best.entry(ranked, 3).orElseThrow().swd()).isEqualTo(200.0);

        assertNoGeneratorCommittedOffsets(stack);
    }

    /**
     * No generator start leaves a consumer group behind for good: nothing is committed (history comes from the S3
     * scan), and the broker drops an empty group that holds no offsets. Called after the swaps, whose events were
     * consumed, and past the interval at which a committing consumer would have committed them.
     */
    private static void assertNoGeneratorCommittedOffsets(LocalStack stack) throws Exception {
        Thread.sleep(6000); // longer than a committing consumer's 5 s interval
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            int generators = 0;
            for (var group : admin.listConsumerGroups().all().get()) {
                if (group.groupId().startsWith("generator-")) {
                    generators++;
                    assertThat(admin.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata().get())
                            .as("offsets of %s", group.groupId()).isEmpty();
                }
            }
            assertThat(generators).as("the running generator's group").isPositive();
        }
    }

    private void awaitModelStatus(String version, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            String actual = given().get("/api/models").then().extract()
                    .path("models.find { it.version == '" + version + "' }.status");
            if (status.equals(actual)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(version + " never " + status + "; models: " + given().get("/api/models").asString());
    }

    private void awaitCurrent(String version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (version.equals(given().get("/api/models").then().extract().path("current"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(version + " not served; models: " + given().get("/api/models").asString());
    }

    static CheckpointPublished checkpoint(ObjectStore s3, String run, int epoch, long seed, boolean wrongBytes) {
        return SampleCheckpoints.write(s3, run, epoch, seed, 100.0 - epoch, wrongBytes);
    }

    static void publish(LocalStack stack, CheckpointPublished data) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            CloudEvent event = CloudEvent.of("/test", data);
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(data.eventType().topic(), event.subject(),
                    EventCodec.dataJson(data));
            EventCodec.binaryHeaders(event).forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            producer.send(record).get();
        }
    }
}
