package dev.faces.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.CloudEvent;
import dev.faces.stack.JsonHttp;
import dev.faces.stack.LocalStack;
import dev.faces.stack.PipelineServices;
import dev.faces.stack.Ports;
import dev.faces.stack.SampleFaces;
import dev.faces.stack.ServiceProcess;
import dev.faces.stack.ServiceProcess.Service;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The three packaged services on the shared local stack, and what the end-to-end tests ask of them. */
final class Pipeline implements AutoCloseable {
    static final String TOKEN = "dev-admin-token";
    static final Path ROOT = Path.of(System.getProperty("pipeline.root", "..")).toAbsolutePath().normalize();

    final LocalStack stack;
    final Path dir;
    final PipelineServices services;

    private Pipeline(LocalStack stack, Path dir, PipelineServices services) {
        this.stack = stack;
        this.dir = dir;
        this.services = services;
    }

    /** Starts the services on free ports; logs go to target/e2e-logs/{name}/ so CI keeps them. */
    static Pipeline start(LocalStack stack, String name, Map<Service, Map<String, String>> extraEnv) throws Exception {
        Path dir = Files.createTempDirectory("e2e-" + name + "-");
        Path logs = Path.of("target", "e2e-logs", name).toAbsolutePath();
        Files.createDirectories(logs);
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            ports.put(s, Ports.free());
        }
        PipelineServices services = PipelineServices.start(stack, new PipelineServices.Options(ROOT, logs,
                dir.resolve("trainer"), List.of(dir), ports, extraEnv), Duration.ofMinutes(2));
        return new Pipeline(stack, dir, services);
    }

    /** A CelebA-layout sample of {@code n} procedural faces in this pipeline's folder. */
    Path sample(String name, int n, long seed) throws IOException {
        Path sample = dir.resolve(name);
        SampleFaces.write(sample, n, seed);
        return sample;
    }

    /** Starts an ingest job and returns its URL. */
    String ingest(Path source, String datasetId) {
        JsonHttp.Reply r = JsonHttp.post(services.ingest().url() + "/api/ingest-jobs",
                "{\"source\":\"" + source + "\",\"datasetId\":\"" + datasetId + "\"}", TOKEN);
        if (r.status() != 202) {
            throw new AssertionError("ingest refused: " + r.status() + " " + r.body());
        }
        return services.ingest().url() + "/api/ingest-jobs/" + r.body().path("id").asText();
    }

    /** Polls {@code url} until its JSON satisfies {@code condition}; every service must stay up meanwhile. */
    JsonNode await(String url, Predicate<JsonNode> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            requireRunning();
            JsonHttp.Reply r = JsonHttp.get(url);
            if (r.ok() && r.body() != null) {
                last = r.body();
                if (condition.test(last)) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting on " + url + "; last answer "
                + last + "\n" + logs());
    }

    void requireRunning() {
        for (ServiceProcess p : services.all()) {
            if (!p.isRunning()) {
                throw new AssertionError(p.service().module + " exited with " + p.exitCode() + ":\n" + p.tail(40));
            }
        }
    }

    String logs() {
        StringBuilder b = new StringBuilder();
        for (ServiceProcess p : services.all()) {
            b.append("--- ").append(p.service().module).append(" (").append(p.log()).append(")\n").append(p.tail(25))
                    .append('\n');
        }
        return b.toString();
    }

    ObjectStore s3() {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1",
                Duration.ofSeconds(30));
    }

    String readObject(String bucket, String key) {
        return new String(s3().get(bucket, key).orElseThrow(() -> new AssertionError("s3://" + bucket + "/" + key
                + " is missing")), StandardCharsets.UTF_8);
    }

    /** Every event on {@code topic} keyed {@code key}, from the beginning, decoded. */
    List<CloudEvent> events(String topic, String key) {
        return KafkaTopics.events(stack.bootstrapServers(), topic, key);
    }

    /**
     * Removes any pin through the generator and waits until it is gone: the pin lives on the compacted
     * faces.serving topic, which every later generator of the shared stack reads from the start.
     */
    void unpin() {
        try {
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(services.generator().url() + "/api/models/current/pin"))
                    .header("Authorization", "Bearer " + TOKEN).DELETE().build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            await(services.generator().url() + "/api/models", m -> m.path("pinned").isNull(), Duration.ofSeconds(30));
        } catch (Exception | AssertionError e) {
            System.err.println("could not unpin: " + e);
        }
    }

    @Override
    public void close() {
        services.close();
    }
}
