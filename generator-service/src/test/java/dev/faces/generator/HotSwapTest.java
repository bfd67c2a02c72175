package dev.faces.generator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.faces.core.DcganLayers;
import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.tensor.SafeTensor;
import dev.faces.core.tensor.SafeTensors;
import dev.faces.generator.model.CheckpointLoader;
import dev.faces.generator.model.ModelRegistry;
import dev.faces.stack.LocalStack;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
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
 * swapped in without a failed request; C, whose object does not match its event's sha256, is rejected while B
 * stays; a restarted service (a fresh registry scanning S3) serves B again.
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

        // C: the object does not match the event's digest
        publish(stack, checkpoint(s3, run, 3, 3, true));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && !given().get("/api/models").asString().contains("sha256 mismatch")) {
            Thread.sleep(200);
        }
        given().get("/api/models").then().body("current", equalTo(run + "/epoch-0002"))
                .body("models.find { it.version == '" + run + "/epoch-0003' }.status", equalTo("rejected"))
                .body("models.find { it.version == '" + run + "/epoch-0003' }.reason", containsString("sha256 mismatch"));
        given().get("/api/faces/5.png").then().statusCode(200).header("X-Model-Version", run + "/epoch-0002");

        // a restarted service: a fresh registry that only has S3
        ModelRegistry fresh = new ModelRegistry(ModelRegistry.Policy.latest);
        assertThat(new CheckpointLoader(s3, ObjectKeys.CHECKPOINTS_BUCKET, fresh).loadNewest()).contains(run + "/epoch-0002");

        // pin A (roll back), then follow the policy again
        given().header("Authorization", ADMIN).contentType("application/json")
                .body("{\"runId\":\"" + run + "\",\"epoch\":1}").put("/api/models/current")
                .then().statusCode(200).body("version", equalTo(run + "/epoch-0001")).body("pinned", equalTo(true));
        given().get("/api/faces/5.png").then().header("X-Model-Version", run + "/epoch-0001");
        given().contentType("application/json").body("{\"runId\":\"" + run + "\",\"epoch\":2}")
                .put("/api/models/current").then().statusCode(401);
        given().header("Authorization", ADMIN).delete("/api/models/current/pin").then().statusCode(200)
                .body("version", equalTo(run + "/epoch-0002"));
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

    /** Writes a full-size generator with random weights; {@code corrupt} truncates the object after hashing it. */
    static CheckpointPublished checkpoint(ObjectStore s3, String run, int epoch, long seed, boolean corrupt) {
        Random random = new Random(seed);
        Map<String, SafeTensor> state = new LinkedHashMap<>();
        for (DcganLayers.TensorSpec spec : DcganLayers.stateDict(DcganLayers.GENERATOR)) {
            if (spec.dtype() == SafeTensor.DType.I64) {
                state.put(spec.name(), SafeTensor.i64(new long[] {1}, new long[0]));
                continue;
            }
            float[] v = new float[(int) spec.elementCount()];
            boolean var = spec.name().endsWith("running_var");
            for (int i = 0; i < v.length; i++) {
                v[i] = var ? 1f : (float) (0.02 * random.nextGaussian() + (spec.shape().length == 1 && spec.name().endsWith("weight") ? 1 : 0));
            }
            state.put(spec.name(), SafeTensor.f32(v, spec.shape()));
        }
        byte[] bytes = SafeTensors.write(state, Map.of("format", "pt"));
        String sha = Digests.sha256(bytes);
        byte[] stored = corrupt ? Arrays.copyOf(bytes, bytes.length / 2) : bytes;
        String bucket = ObjectKeys.CHECKPOINTS_BUCKET;
        s3.put(bucket, ObjectKeys.generator(run, epoch), stored, "application/octet-stream");
        s3.put(bucket, ObjectKeys.epochMetrics(run, epoch), "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        return new CheckpointPublished(run, "ds", epoch, epoch * 10L,
                new CheckpointPublished.ObjectRef(ObjectKeys.generator(run, epoch), sha, (long) bytes.length),
                ObjectKeys.discriminator(run, epoch), ObjectKeys.optimizer(run, epoch), ObjectKeys.samples(run, epoch),
                new CheckpointPublished.Metrics(1.0, 1.0, 0.5, 0.5, 0.5, 100.0 - epoch, 50.0));
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
