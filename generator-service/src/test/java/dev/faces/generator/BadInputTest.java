package dev.faces.generator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.faces.core.ObjectStore;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad parameter gets a 400 problem+json that says what is allowed; nothing returns 500. */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
@org.junit.jupiter.api.Order(2)
class BadInputTest {

    @BeforeEach
    void aModelIsServed() throws Exception {
        if (given().get("/api/models").then().extract().path("current") != null) {
            return;
        }
        LocalStack stack = LocalStack.shared();
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        HotSwapTest.publish(stack, HotSwapTest.checkpoint(s3, "bad-input-" + UUID.randomUUID().toString().substring(0, 6),
                1, 9, false));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (given().get("/api/models").then().extract().path("current") == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "GET  | /api/faces?seed=abc                 | 'seed' must be an integer seed",
        "GET  | /api/faces?seed=1&count=0           | 'count' must be an integer from 1 to 64, was '0'",
        "GET  | /api/faces?seed=1&count=65          | 'count' must be an integer from 1 to 64, was '65'",
        "GET  | /api/faces?seed=1&count=1e9         | 'count' must be an integer from 1 to 64",
        "GET  | /api/faces?seed=1&cols=-1           | 'cols' must be an integer from 1 to 16",
        "GET  | /api/faces?seed=99999999999999999999 | 'seed' must be an integer seed (64-bit)",
        "GET  | /api/faces/x.png                    | 'seed' must be an integer seed",
        "GET  | /api/interpolate?to=2               | query parameter 'from' is required",
        "GET  | /api/interpolate?from=1&to=2&steps=1 | 'steps' must be an integer from 2 to 32",
        "GET  | /api/interpolate?from=1&to=2&steps=99 | 'steps' must be an integer from 2 to 32",
    })
    void badQueryParameters(String method, String path, String detail) {
        given().request(method.trim(), path.trim()).then().statusCode(400).contentType("application/problem+json")
                .body("status", equalTo(400)).body("detail", containsString(detail.trim()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', emptyValue = "", value = {
        "empty body     | ``                                   | send {\"latents\"",
        "not json       | `{nope`                              | not valid JSON",
        "no latents     | `{}`                                 | 'latents' must be an array of 1 to 64",
        "empty list     | `{\"latents\":[]}`                   | 'latents' must be an array of 1 to 64",
        "short latent   | `{\"latents\":[[1,2,3]]}`            | latent 0 must be an array of exactly 100 numbers",
        "text in latent | `{\"latents\":[\"a\"]}`              | latent 0 must be an array of exactly 100 numbers",
    })
    void badLatentBodies(String kase, String body, String detail) {
        given().contentType("application/json").body(body).post("/api/faces").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString(detail.trim()));
    }

    @org.junit.jupiter.api.Test
    void latentsInFacesOut() {
        StringBuilder row = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            row.append(i == 0 ? "" : ",").append(i % 7 == 0 ? "0.5" : "-0.25");
        }
        String body = "{\"latents\":[" + row + "]," + row + "]]}";
        given().contentType("application/json").accept("application/json").body(body).post("/api/faces")
                .then().statusCode(200).body("shape", equalTo(java.util.List.of(2, 3, 64, 64)))
                .body("images.size()", equalTo(2)).body("images[0].size()", equalTo(12288));
        given().contentType("application/json").body(body).post("/api/faces").then().statusCode(200)
                .contentType("image/png").header("X-Model-Version", org.hamcrest.Matchers.notNullValue());
        String big = "{\"latents\":[" + (row + "],").repeat(65) + row + "]]}";
        given().contentType("application/json").body(big).post("/api/faces").then().statusCode(400)
                .body("detail", containsString("1 to 64"));
        given().contentType("application/json").body("{\"latents\":[" + row.toString().replace("0.5", "1e9") + "]]}")
                .post("/api/faces").then().statusCode(400).body("detail", containsString("within +-1000"));
        given().contentType("application/json").body("{}").put("/api/models/current").then().statusCode(401);
        given().header("Authorization", HotSwapTest.ADMIN).contentType("application/json").body("{\"runId\":\"nope\",\"epoch\":1}")
                .put("/api/models/current").then().statusCode(404).body("detail", containsString("is unknown"));
        given().header("Authorization", HotSwapTest.ADMIN).contentType("application/json").body("{\"runId\":\"../x\",\"epoch\":1}")
                .put("/api/models/current").then().statusCode(400);
        given().header("If-None-Match", given().get("/api/faces?seed=3&count=4").then().extract().header("ETag"))
                .get("/api/faces?seed=3&count=4").then().statusCode(304);
        given().get("/").then().statusCode(200).body(containsString("DCGAN faces"));
        // The gallery's static files and its chart library, from the WebJar, with no CDN.
        given().get("/gallery.js").then().statusCode(200).body(containsString("uPlot"));
        given().get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").then().statusCode(200);
    }

    @org.junit.jupiter.api.Test
    void theRunsApiRefusesWhatIsNotARunOrAnEpoch() {
        given().get("/api/runs/no-such-run").then().statusCode(404).body("status", equalTo(404));
        given().get("/api/runs/no-such-run/metrics").then().statusCode(404);
        given().get("/api/runs/..%2Ffaces-datasets").then().statusCode(org.hamcrest.Matchers.oneOf(400, 404));
        given().get("/api/runs/.hidden").then().statusCode(400).body("detail", containsString("is not a run id"));
        given().get("/api/runs/run-a/epochs/0/samples.png").then().statusCode(400);
        given().get("/api/runs/run-a/epochs/abc/samples.png").then().statusCode(400);
        given().get("/api/runs/run-a/epochs/99999/samples.png").then().statusCode(400);
        given().get("/api/runs/no-such-run/epochs/1/samples.png").then().statusCode(404);
        given().get("/api/runs").then().statusCode(200).header("Cache-Control", containsString("max-age"));
    }
}
