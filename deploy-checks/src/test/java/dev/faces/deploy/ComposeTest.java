package dev.faces.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faces.core.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose/compose.yaml, checked by docker-compose's own schema validation ({@code config}, which needs no
 * Docker engine) and against the cluster manifests.
 */
class ComposeTest {
    private static final Path COMPOSE = Repo.ROOT.resolve("deploy/compose/compose.yaml");
    private static final Path DEV_ENV = Repo.ROOT.resolve("deploy/compose/dev.env");

    private record Result(int exit, String output) {
    }

    private static Result compose(Path file, Path envFile) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker-compose"));
        if (envFile != null) {
            cmd.addAll(List.of("--env-file", envFile.toString()));
        }
        cmd.addAll(List.of("-f", file.toString(), "config"));
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new IllegalStateException("docker-compose is not installed (Debian: apt-get install"
                    + " --no-install-recommends docker-compose; .ci/run does it)", e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8) + new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void isAValidComposeFileWithTheDevelopmentEnvironment() throws Exception {
        Result r = compose(COMPOSE, DEV_ENV);
        assertThat(r.exit()).as(r.output()).isZero();
        JsonNode config = Manifests.parse(r.output()).get(0);
        assertThat(config.path("services").has("generator-service")).isTrue();
        for (JsonNode service : (Iterable<JsonNode>) () -> config.path("services").elements()) {
            String image = service.path("image").asText();
            assertThat(image).doesNotEndWith(":latest").contains(":");
            assertThat(Invariants.registryHost(image)).as(image).isEmpty();
        }
    }

    @Test
    void refusesToRenderWithoutCredentials() throws Exception {
        Result r = compose(COMPOSE, null);
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("Missing mandatory value");
    }

    @Test
    void aMisspeltKeyFailsTheSchema(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String good = Files.readString(COMPOSE);
        Path broken = dir.resolve("compose.yaml");
        Files.writeString(broken, good.replaceFirst("\n    stop_grace_period: 180s", "\n    stop_grace_periods: 180s"));
        Result r = compose(broken, DEV_ENV);
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("stop_grace_periods");
    }

    @Test
    void usesTheClustersMinioImagesAndCreatesTheTopicsOfTopics() throws Exception {
        String compose = Files.readString(COMPOSE);
        for (JsonNode o : Manifests.render(Repo.K8S.resolve("base"))) {
            if (o.path("kind").asText().equals("StatefulSet") && o.path("metadata").path("name").asText().equals("minio")
                    || o.path("kind").asText().equals("Job")) {
                String image = o.path("spec").path("template").path("spec").path("containers").get(0).path("image").asText();
                assertThat(compose).as("compose uses " + image).contains("image: " + image);
            }
        }
        Matcher m = Pattern.compile("--topic (\\S+) --partitions (\\d+) --replication-factor 1( --config cleanup.policy=compact)?")
                .matcher(compose);
        Set<String> topics = new TreeSet<>();
        while (m.find()) {
            topics.add(m.group(1));
            assertThat(Integer.parseInt(m.group(2))).as(m.group(1)).isEqualTo(Topics.partitions(m.group(1)));
            assertThat(m.group(3) != null).as(m.group(1) + " compacted").isEqualTo(Topics.isCompacted(m.group(1)));
        }
        assertThat(topics).isEqualTo(new TreeSet<>(Topics.all()));
    }
}
