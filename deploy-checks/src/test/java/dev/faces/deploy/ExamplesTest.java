package dev.faces.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faces.core.events.CloudEvent;
import dev.faces.core.events.EventCodec;
import dev.faces.core.events.TrainingRequested;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** deploy/examples: valid objects under the same rules, and a request the trainer accepts. */
class ExamplesTest {
    private static final Invariants INVARIANTS = new Invariants(Repo.ROOT);

    @Test
    void theRetrainJobsAreValidAndRestricted() {
        List<ObjectNode> objects = Manifests.render(Repo.ROOT.resolve("deploy/examples"));
        List<String> problems = new ArrayList<>();
        objects.forEach(o -> problems.addAll(ModelSchemas.validate(o)));
        problems.addAll(INVARIANTS.check(objects, false));
        assertThat(problems).isEmpty();
        assertThat(objects).extracting(o -> o.path("kind").asText()).contains("Job", "CronJob");
        for (JsonNode o : objects) {
            if (o.path("kind").asText().endsWith("Job")) {
                String env = o.toString();
                assertThat(env).as(Manifests.id(o) + " runs as the ml-engineer KafkaUser")
                        .contains("{\"key\":\"sasl.jaas.config\",\"name\":\"ml-engineer\"}");
            }
        }
    }

    @Test
    void theScriptProducesATrainingRequestTheTrainerDecodes() throws Exception {
        String script = Files.readString(Repo.ROOT.resolve("deploy/examples/request-training.sh"));
        // The script's own lines that build the event, run by sh with the Job's variables.
        StringBuilder build = new StringBuilder("set -eu\n");
        script.lines().filter(l -> l.startsWith("run_id=") || l.startsWith("event_id=") || l.startsWith("event="))
                .forEach(l -> build.append(l).append('\n'));
        build.append("printf '%s' \"$event\"\n");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", build.toString()).redirectErrorStream(true);
        pb.environment().put("DATASET_ID", "celeba");
        pb.environment().put("RUN_ID", "celeba-retrain-1");
        pb.environment().put("EPOCHS", "5");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
        CloudEvent event = EventCodec.decodeStructured(out);
        assertThat(event.data()).isInstanceOf(TrainingRequested.class);
        TrainingRequested request = (TrainingRequested) event.data();
        assertThat(request.datasetId()).isEqualTo("celeba");
        assertThat(request.runId()).isEqualTo("celeba-retrain-1");
        assertThat(request.epochs()).isEqualTo(5);
    }
}
