package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectStore;
import dev.faces.core.Topics;
import dev.faces.core.events.CheckpointPublished;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.stack.JsonHttp;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.Ports;
import dev.faces.stack.SampleCheckpoints;
import dev.faces.stack.ServiceProcess;
import dev.faces.stack.ServiceProcess.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Packaged generator replicas on the real broker and S3: a pin made through one replica is served by the other
 * within 2 s, survives a restart of both, and an unpin sends both back to the policy. A generator with a
 * 384 MB heap keeps serving while 40 checkpoints are published to it.
 */
@ExtendWith(LocalStackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GeneratorReplicasIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String RUN = "replicas-" + UUID.randomUUID().toString().substring(0, 6);
    private static LocalStack stack;
    private static final List<ServiceProcess> processes = new ArrayList<>();

    @BeforeAll
    static void checkpoints(LocalStack localStack) {
        stack = localStack;
        for (int epoch = 1; epoch <= 3; epoch++) {
            SampleCheckpoints.write(s3(), RUN, epoch, epoch, 100.0 - epoch, false);
        }
    }

    @AfterAll
    static void stop() {
        processes.forEach(ServiceProcess::stop);
    }

    @Test
    @Order(1)
    void replicasAgreeOnThePinAcrossRestarts() throws Exception {
        ServiceProcess a = generator("a", List.of());
        ServiceProcess b = generator("b", List.of());
        String newest = RUN + "/epoch-0003";
        awaitServing(a, newest, Duration.ofSeconds(60));
        awaitServing(b, newest, Duration.ofSeconds(60));

        HttpResponse<String> pin = send(a, "PUT", "/api/models/current", "{\"runId\":\"" + RUN + "\",\"epoch\":1}");
        assertThat(pin.statusCode()).as(pin.body()).isEqualTo(200);
        long pinnedAt = System.nanoTime();
        awaitServing(b, RUN + "/epoch-0001", Duration.ofSeconds(10));
        assertThat((System.nanoTime() - pinnedAt) / 1e9).as("seconds until the other replica serves the pin")
                .isLessThanOrEqualTo(2.0);
        assertThat(faceVersion(b)).isEqualTo(RUN + "/epoch-0001");

        a.stop();
        b.stop();
        a.start().awaitUp(Duration.ofMinutes(1));
        b.start().awaitUp(Duration.ofMinutes(1));
        awaitServing(a, RUN + "/epoch-0001", Duration.ofSeconds(30));
        awaitServing(b, RUN + "/epoch-0001", Duration.ofSeconds(30));
        assertThat(JsonHttp.get(b.url() + "/api/models/current").body().path("pinned").asBoolean()).isTrue();

        HttpResponse<String> unpin = send(b, "DELETE", "/api/models/current/pin", null);
        assertThat(unpin.statusCode()).as(unpin.body()).isEqualTo(200);
        awaitServing(a, newest, Duration.ofSeconds(10));
        awaitServing(b, newest, Duration.ofSeconds(10));

        // the policy is shared too: best serves the lowest SWD (epoch 3 here), and pinning needs the token
        assertThat(send(a, "PUT", "/api/models/policy", "{\"policy\":\"best\"}").statusCode()).isEqualTo(200);
        awaitPolicy(b, "best");
        assertThat(sendWithoutToken(a, "/api/models/current", "{\"runId\":\"" + RUN + "\",\"epoch\":2}").statusCode())
                .isEqualTo(401);
        assertThat(send(a, "PUT", "/api/models/policy", "{\"policy\":\"latest\"}").statusCode()).isEqualTo(200);
        awaitPolicy(b, "latest");
        a.stop();
        b.stop();
    }

    @Test
    @Order(2)
    void aSmallHeapKeepsServingWhileFortyCheckpointsArrive() throws Exception {
        ServiceProcess small = generator("small-heap", List.of("-Xmx384m"));
        awaitServing(small, RUN + "/epoch-0003", Duration.ofSeconds(60));
        String run = "many-" + UUID.randomUUID().toString().substring(0, 6);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                stack.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (int epoch = 1; epoch <= 40; epoch++) {
                CheckpointPublished c = SampleCheckpoints.write(s3(), run, epoch, 100 + epoch, 200.0 - epoch, false);
                producer.send(new ProducerRecord<>(Topics.CHECKPOINTS, run,
                        EventCodec.toStructured(CloudEvent.of("/e2e-tests", c)))).get();
                awaitServing(small, run + String.format("/epoch-%04d", epoch), Duration.ofSeconds(60));
                assertThat(faceVersion(small)).isEqualTo(run + String.format("/epoch-%04d", epoch));
            }
        }
        JsonNode models = JsonHttp.get(small.url() + "/api/models").body();
        long inMemory = 0;
        for (JsonNode m : models.path("models")) {
            inMemory += m.path("status").asText().equals("loaded") ? 1 : 0;
        }
        assertThat(inMemory).as("models in memory").isLessThanOrEqualTo(3);
        assertThat(models.path("failedLoads").asLong()).isZero();
        assertThat(KafkaTopics.records(stack.bootstrapServers(), Topics.deadLetter(Topics.CHECKPOINTS), run))
                .as("no valid checkpoint event is dead-lettered").isEmpty();
        assertThat(small.tail(2000)).doesNotContain("OutOfMemoryError");
        assertThat(small.status("/q/health/ready")).isEqualTo(200);
    }

    /**
     * SIGTERM under load, as Kubernetes does it: readiness goes DOWN first, the clients (standing in for the
     * Service) stop sending new requests when it does, and every request already sent is answered with a face.
     */
    @Test
    @Order(3)
    void sigtermDuringLoadLosesNoRequestInFlight() throws Exception {
        ServiceProcess g = generator("rolling", List.of());
        long ready = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (g.status("/q/health/ready") != 200) { // whichever checkpoint is newest: the policy's choice
            assertThat(System.nanoTime()).as("a model is served").isLessThan(ready);
            Thread.sleep(100);
        }
        AtomicBoolean routed = new AtomicBoolean(true);
        AtomicLong sigtermAt = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger inFlightAtSigterm = new AtomicInteger(); // sent before SIGTERM, answered after it
        ConcurrentHashMap<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int i = 0; routed.get(); i++) {
                    long sent = System.nanoTime();
                    String outcome;
                    try {
                        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(g.url()
                                + "/api/faces?count=8&seed=" + (client * 100_000 + i))).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        outcome = String.valueOf(r.statusCode());
                    } catch (Exception e) {
                        outcome = e.getClass().getSimpleName();
                    }
                    if (sent < sigtermAt.get() && System.nanoTime() > sigtermAt.get()) {
                        inFlightAtSigterm.incrementAndGet();
                    }
                    answered.incrementAndGet();
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                }
            });
            clients.add(t);
            t.start();
        }
        // Under load first: two answers per client on average, however slow this machine is.
        long loaded = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (answered.get() < 16) {
            assertThat(System.nanoTime()).as("the generator answers the load: %s", outcomes).isLessThan(loaded);
            Thread.sleep(50);
        }
        sigtermAt.set(System.nanoTime());
        Thread stopper = new Thread(g::stop); // SIGTERM, then waits for the exit
        stopper.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (g.status("/q/health/ready") != 503) { // what the kubelet's readiness probe sees
            assertThat(System.nanoTime()).as("readiness goes DOWN after SIGTERM").isLessThan(deadline);
            Thread.sleep(50);
        }
        routed.set(false); // the Service stops routing to this pod
        for (Thread t : clients) {
            t.join();
        }
        stopper.join();
        assertThat(outcomes.keySet()).as("every request sent before readiness went down: %s", outcomes)
                .containsOnly("200");
        assertThat(inFlightAtSigterm.get()).as("requests in flight when SIGTERM came, all answered").isPositive();
        assertThat(g.isRunning()).isFalse();
    }

    private static ServiceProcess generator(String name, List<String> jvmArgs) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs", "generator-replicas").toAbsolutePath());
        ServiceProcess p = ServiceProcess.start(Service.GENERATOR, Service.GENERATOR.jar(Pipeline.ROOT), Ports.free(),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", stack.bootstrapServers(), "S3_ENDPOINT", stack.s3Endpoint(),
                        "S3_ACCESS_KEY", stack.accessKey(), "S3_SECRET_KEY", stack.secretKey()),
                logs.resolve(name + ".log"), jvmArgs);
        processes.add(p);
        return p.awaitUp(Duration.ofMinutes(1));
    }

    private static void awaitServing(ServiceProcess g, String version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            JsonHttp.Reply r = JsonHttp.get(g.url() + "/api/models/current");
            last = r.body() == null ? String.valueOf(r.status()) : r.body().path("version").asText();
            if (version.equals(last)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(g.log() + " serves " + last + ", not " + version + "\n" + g.tail(40));
    }

    private static void awaitPolicy(ServiceProcess g, String policy) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!policy.equals(JsonHttp.get(g.url() + "/api/models").body().path("policy").asText())) {
            assertThat(System.nanoTime()).as("policy %s on %s", policy, g.log()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static String faceVersion(ServiceProcess g) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(g.url() + "/api/faces/7.png")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("X-Model-Version").orElse("?");
    }

    private static HttpResponse<String> send(ServiceProcess g, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.url() + path))
                .header("Authorization", "Bearer " + Pipeline.TOKEN).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> sendWithoutToken(ServiceProcess g, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(g.url() + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectStore s3() {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1", Duration.ofSeconds(30));
    }
}
