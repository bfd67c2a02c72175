package dev.faces.trainer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.faces.stack.LocalStack;
import dev.faces.stack.SampleDatasets;
import dev.faces.stack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** With auto-train on, a completed dataset starts run auto-<datasetId>, once, however often it completes. */
@QuarkusTest
@TestProfile(AutoTrainTest.AutoTrain.class)
@WithTestResource(LocalStackResource.class)
class AutoTrainTest {

    public static class AutoTrain implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faces.trainer.auto-train", "true", "faces.trainer.auto-train-epochs", "3");
        }
    }

    @Test
    void aCompletedDatasetStartsOneRun() throws Exception {
        String dataset = "auto-" + UUID.randomUUID().toString().substring(0, 8);
        SampleDatasets.publish(LocalStack.shared(), dataset, 1, 24);
        String runId = "auto-" + dataset;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline && given().get("/api/training-runs/" + runId).statusCode() != 200) {
            Thread.sleep(200);
        }
        given().get("/api/training-runs/" + runId).then().statusCode(200).body("request.epochs", equalTo(3))
                .body("datasetId", equalTo(dataset));
        SampleDatasets.publish(LocalStack.shared(), dataset, 1, 24); // completes again: a duplicate, no new run
        given().header("Authorization", TrainingRunResourceTest.ADMIN).post("/api/training-runs/" + runId + "/cancel")
                .then().statusCode(202);
        long runs = given().get("/api/training-runs").then().extract().jsonPath().getList("runId").stream()
                .filter(id -> id.toString().startsWith(runId)).count();
        org.assertj.core.api.Assertions.assertThat(runs).isEqualTo(1);
    }
}
