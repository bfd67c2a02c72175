package dev.faces.generator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.faces.stack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The service boots against the real local stack and reports its own health, metrics and API. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ServiceHealthTest {

    @Test
    void storageIsReportedButIsNotPartOfReadiness() {
        // the generator serves from memory: S3 is in /q/health (wellness), not in what takes it out of a Service
        given().get("/q/health/well").then()
                .body("checks.find { it.name == 'object-storage' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'object-storage' }.data.detail", equalTo("bucket present"));
        given().get("/q/health").then().body("checks.find { it.name == 'object-storage' }.status", equalTo("UP"));
        given().get("/q/health/ready").then().body("checks.find { it.name == 'object-storage' }", nullValue())
                .body("checks.find { it.name == 'model' }.data.batcher", equalTo("running"));
    }

    @Test
    void exposesPrometheusMetricsAndOpenApi() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("openapi"));
    }
}
