package dev.faces.generator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.faces.stack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The service boots against the real local stack and reports its own health, metrics and API. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class ServiceHealthTest {

    @Test
    void readyWhenObjectStorageAndBucketsAreThere() {
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'object-storage' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'object-storage' }.data.detail", equalTo("buckets present"));
    }

    @Test
    void exposesPrometheusMetricsAndOpenApi() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("openapi"));
    }
}
