package dev.faces.generator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.ObjectStore;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 64 clients asking for 64 faces each against a queue of 256 faces and a 2 s deadline: every answer is a 200
 * or a 503 with Retry-After, none takes longer than the deadline plus one batch (and the client's margin),
 * and the service answers at once when the burst ends. The figures are printed for docs/BENCHMARKS.md.
 */
@QuarkusTest
@TestProfile(OverloadTest.SmallQueue.class)
@WithTestResource(LocalStackResource.class)
class OverloadTest {
    static final long DEADLINE_MS = 2000;

    public static class SmallQueue implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("faces.generator.max-queued-faces", "256",
                    "faces.generator.request-timeout-ms", String.valueOf(DEADLINE_MS));
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Test
    void anOverloadIsShedAndTheServiceRecoversAtOnce() throws Exception {
        LocalStack stack = LocalStack.shared();
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        String run = "overload-" + UUID.randomUUID().toString().substring(0, 6);
        HotSwapTest.publish(stack, HotSwapTest.checkpoint(s3, run, 1, 1, false));
        long ready = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (given().get("/api/faces/1.png").statusCode() != 200) {
            assertThat(System.nanoTime()).as("a model is served").isLessThan(ready);
            Thread.sleep(100);
        }

        // HTTP/1.1, as an ingress or a load balancer speaks to the service: the JDK client's default, an h2c
        // upgrade on each new connection, is a client-side path this test is not about.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(java.util.concurrent.Executors.newFixedThreadPool(64)).build();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger missingRetryAfter = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long end = System.nanoTime() + Duration.ofSeconds(6).toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 64; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                for (int i = 0; System.nanoTime() < end; i++) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "api/faces?count=64&seed="
                                + (client * 10_000 + i))).timeout(Duration.ofSeconds(20)).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        latencies.add((System.nanoTime() - t0) / 1_000_000);
                        statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                        if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isEmpty()) {
                            missingRetryAfter.incrementAndGet();
                        }
                    } catch (Exception e) {
                        statuses.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
                        failures.add(e.toString());
                    }
                }
            });
            clients.add(t);
            t.start();
        }
        for (Thread t : clients) {
            t.join();
        }
        long recoveryStart = System.nanoTime();
        int after = given().get("/api/faces?count=4&seed=1").statusCode();
        long recoveryMs = (System.nanoTime() - recoveryStart) / 1_000_000;

        List<Long> sorted = latencies.stream().sorted().toList();
        long max = sorted.get(sorted.size() - 1);
        System.out.printf("overload: %d requests, statuses %s, latency p50 %d ms, p99 %d ms, max %d ms; "
                        + "first request after the burst %d ms (%d)%n", sorted.size(), statuses,
                sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99)), max, recoveryMs, after);
        assertThat(statuses.keySet()).as("every answer is 200 or 503; the client failed with %s", failures)
                .containsOnly(200, 503);
        assertThat(statuses.get(503)).as("the burst is larger than the queue: some requests are shed").isNotNull();
        assertThat(statuses.get(200)).as("and the rest are served").isNotNull();
        assertThat(missingRetryAfter.get()).as("every 503 says when to retry").isZero();
        assertThat(max).as("no answer later than the deadline plus one batch (plus 1 s for this busy JVM)")
                .isLessThanOrEqualTo(DEADLINE_MS + 1000 + 1000);
        assertThat(after).isEqualTo(200);
        assertThat(recoveryMs).as("the service answers at once after the burst").isLessThan(1000);
    }
}
