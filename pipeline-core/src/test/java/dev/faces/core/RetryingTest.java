package dev.faces.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.errors.InvalidResponseException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which S3 failures are an outage to wait out, and which are an answer. */
class RetryingTest {
    private final Retrying retrying = new Retrying("http://s3.test", Duration.ofSeconds(10));

    @Test
    void aServerErrorPageIsRetried() {
        // What S3Proxy's Jetty sent when run.json was overwritten while it was being read (CI, stop 29).
        AtomicInteger attempts = new AtomicInteger();
        byte[] read = retrying.call("get", "b", "run.json", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw htmlAnswer(500);
            }
            return new byte[] {1};
        });
        assertThat(read).containsExactly(1);
        assertThat(attempts).hasValue(2);
    }

    @Test
    void aClientErrorPageIsNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retrying.call("get", "b", "run.json", () -> {
            attempts.incrementAndGet();
            throw htmlAnswer(403);
        })).isInstanceOf(ObjectStore.StorageException.class).hasMessageContaining("Response code: 403");
        assertThat(attempts).hasValue(1);
    }

    @Test
    void onlyServerErrorsAreOutages() {
        assertThat(Retrying.isTransient(htmlAnswer(503))).isTrue();
        assertThat(Retrying.isTransient(htmlAnswer(404))).isFalse();
        assertThat(Retrying.isTransient(new java.io.IOException("connection refused"))).isTrue();
    }

    private static InvalidResponseException htmlAnswer(int status) {
        return new InvalidResponseException(status, "text/html;charset=iso-8859-1", "<html>error</html>", null);
    }
}
