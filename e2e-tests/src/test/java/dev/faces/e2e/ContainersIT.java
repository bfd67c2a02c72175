package dev.faces.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.stack.JsonHttp;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.ManifestPods;
import dev.faces.stack.PodmanPods;
import dev.faces.stack.SampleFaces;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The three JVM images as a platform engineer gets them: built by {@code ./pipeline images}, and run from the pod
 * specs of the rendered dev overlay with podman kube play (what is mapped for this machine: {@link ManifestPods}),
 * against the real broker and S3 server. A sample is ingested by the ingest container, one epoch trained by the
 * trainer container, and a face served by the generator container; each runs as the manifest's user on a
 * read-only root filesystem.
 */
@ExtendWith(LocalStackExtension.class)
class ContainersIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String DATASET = "container-faces";
    private static final String RUN = "container-run";
    private static final String INGEST = "http://localhost:8081";
    private static final String TRAINER = "http://localhost:8082";
    private static final String GENERATOR = "http://localhost:8080";
    private static final Path LOGS = Path.of("target", "e2e-logs", "containers").toAbsolutePath();
    private static ManifestPods pods;
    private static PodmanPods running;

    @BeforeAll
    static void buildAndPlay(LocalStack stack) throws Exception {
        Files.createDirectories(LOGS);
        // The documented command, on what this Maven build packaged and the JRE base that ./pipeline test made from
        // Debian's packages (no registry is reachable from the build machines); it prints the images' sizes.
        Process images = new ProcessBuilder(Pipeline.ROOT.resolve("pipeline").toString(), "images", "--no-build",
                "--base", "debian")
                .directory(Pipeline.ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(images.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(images.waitFor(15, TimeUnit.MINUTES)).isTrue();
        System.out.println(out);
        Files.writeString(LOGS.resolve("images.log"), out);
        assertThat(images.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("faces/ingest-service:0.1.0 +\\d+ MB")
                .containsPattern("faces/trainer-service:0.1.0 +\\d+ MB")
                .containsPattern("faces/generator-service:0.1.0 +\\d+ MB");

        pods = ManifestPods.of(PodmanPods.render(Pipeline.ROOT.resolve("deploy/k8s/overlays/dev")));
        running = PodmanPods.play(Pipeline.ROOT, LOGS, pods, new ManifestPods.Local(stack.bootstrapServers(),
                stack.s3Endpoint(), stack.accessKey(), stack.secretKey()));
        running.await(pods.started(), Duration.ofMinutes(4));
    }

    @AfterAll
    static void down() throws IOException {
        if (running != null) {
            for (ManifestPods.Probe p : pods.readiness()) {
                Files.writeString(LOGS.resolve(p.container() + ".log"), running.logs(p.container()));
            }
            running.close();
        }
    }

    @Test
    void theContainersIngestTrainAndServeAsTheManifestsRunThem(LocalStack stack) throws Exception {
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1",
                Duration.ofSeconds(30));
        s3.put(ObjectKeys.DATASETS_BUCKET, "uploads/" + DATASET + ".zip", sampleZip(256), "application/zip");
        JsonHttp.Reply job = JsonHttp.post(INGEST + "/api/ingest-jobs", "{\"source\":\"s3://" + ObjectKeys.DATASETS_BUCKET
                + "/uploads/" + DATASET + ".zip\",\"datasetId\":\"" + DATASET + "\"}", Pipeline.TOKEN);
        assertThat(job.status()).as("%s", job.body()).isEqualTo(202);
        JsonNode ingested = await(INGEST + "/api/ingest-jobs/" + job.body().path("id").asText(),
                j -> !j.path("status").asText().matches("queued|running"), Duration.ofMinutes(3));
        assertThat(ingested.path("status").asText()).as("%s", ingested).isEqualTo("completed");
        assertThat(ingested.path("processed").asInt()).isEqualTo(256);
        assertThat(running.logs(container("ingest-service"))).contains("JPEG decoder: libjpeg-turbo");

        JsonHttp.Reply start = JsonHttp.post(TRAINER + "/api/training-runs", "{\"datasetId\":\"" + DATASET
                + "\",\"runId\":\"" + RUN + "\",\"epochs\":1,\"batchSize\":64}", Pipeline.TOKEN);
        assertThat(start.status()).as("%s", start.body()).isEqualTo(202);
        JsonNode run = await(TRAINER + "/api/training-runs/" + RUN,
                r -> r.path("status").asText().matches("completed|failed|cancelled"), Duration.ofMinutes(8));
        assertThat(run.path("status").asText()).as("%s", run).isEqualTo("completed");
        assertThat(s3.exists(ObjectKeys.CHECKPOINTS_BUCKET, ObjectKeys.generator(RUN, 1))).isTrue();

        // The generator hot-loads the new checkpoint (the shared stack may hold older ones of other tests, which it
        // may serve first); then its readiness probe answers, and its face names the checkpoint.
        await(GENERATOR + "/api/models/current",
                m -> m.path("version").asText().equals(ObjectKeys.modelVersion(RUN, 1)), Duration.ofMinutes(2));
        running.await(pods.readiness(), Duration.ofMinutes(1));
        HttpResponse<byte[]> face = HTTP.send(HttpRequest.newBuilder(URI.create(GENERATOR + "/api/faces/7.png"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(face.statusCode()).isEqualTo(200);
        assertThat(face.headers().firstValue("X-Model-Version")).contains(ObjectKeys.modelVersion(RUN, 1));
        assertThat(face.body()).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void eachContainerRunsAsTheManifestsUserOnAReadOnlyRoot() throws Exception {
        for (String workload : ManifestPods.SERVICES) {
            String c = container(workload);
            long uid = pods.podSpec(workload).path("securityContext").path("runAsUser").asLong(-1);
            assertThat(uid).as("%s sets runAsUser", workload).isPositive();
            List<String> status = Files.readAllLines(Path.of("/proc", String.valueOf(running.pid(c)), "status"));
            assertThat(status).as("%s's process", c)
                    .anySatisfy(l -> assertThat(l).matches("Uid:\\s+" + uid + "\\s+" + uid + "\\s+" + uid + "\\s+" + uid));
            assertThat(Files.readString(Path.of("/proc", String.valueOf(running.pid(c)), "cmdline"))).contains("java");

            PodmanPods.Result write = running.exec(c, "sh", "-c", "echo x > /written-by-a-test");
            assertThat(write.exitCode()).as("%s: %s", c, write.output()).isNotZero();
            assertThat(write.output()).contains("Read-only file system");
            // the mounts the pod spec gives it stay writable, which shows the refusal is the root's
            PodmanPods.Result tmp = running.exec(c, "sh", "-c", "echo x > /tmp/written-by-a-test && rm /tmp/written-by-a-test");
            assertThat(tmp.exitCode()).as("%s: %s", c, tmp.output()).isZero();
        }
    }

    private static String container(String workload) {
        return ManifestPods.containerName(workload, workload);
    }

    private static byte[] sampleZip(int images) throws IOException {
        Path dir = Files.createTempDirectory("container-sample-");
        SampleFaces.write(dir, images, 11);
        Path zip = dir.resolve("sample.zip");
        try (OutputStream file = Files.newOutputStream(zip); ZipOutputStream out = new ZipOutputStream(file);
             Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.equals(zip)).sorted().toList()) {
                out.putNextEntry(new ZipEntry(dir.relativize(f).toString()));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return Files.readAllBytes(zip);
    }

    private static JsonNode await(String url, Predicate<JsonNode> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            JsonHttp.Reply r = JsonHttp.get(url);
            if (r.ok() && r.body() != null) {
                last = r.body();
                if (done.test(last)) {
                    return last;
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("timed out on " + url + "; last: " + last);
    }
}
