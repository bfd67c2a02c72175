package dev.faces.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.Digests;
import dev.faces.core.ExpiringWrite;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Presigned writes against the real S3 server: taken within their validity, refused by the server after it. */
@ExtendWith(LocalStackExtension.class)
class ExpiringWriteTest {
    private static final String BUCKET = ObjectKeys.CHECKPOINTS_BUCKET;
    private static final Map<String, String> LEASE = Map.of("lease-epoch", "7", "lease-owner", "trainer 12@host a");

    @Test
    void aWriteSentInTimeIsStoredWithItsSignedMetadataAndCondition(LocalStack stack) {
        ObjectStore s3 = store(stack);
        String key = "expiring-" + UUID.randomUUID() + "/epoch-0001/checkpoint.json";
        byte[] first = "one".getBytes(StandardCharsets.UTF_8);

        String etag = s3.expiringPut(BUCKET, key, LEASE, Duration.ofSeconds(30)).put(first, "application/json", null);

        assertThat(etag).isEqualTo(Digests.md5(first));
        assertThat(s3.get(BUCKET, key)).hasValue(first);
        assertThat(s3.stat(BUCKET, key).orElseThrow().metadata()).containsAllEntriesOf(LEASE);
        assertThatThrownBy(() -> s3.expiringPut(BUCKET, key, LEASE, Duration.ofSeconds(30))
                .put("two".getBytes(StandardCharsets.UTF_8), "application/json", null))
                .as("If-None-Match: * on an object that exists").isInstanceOf(ObjectStore.PreconditionFailedException.class);
        assertThatThrownBy(() -> s3.expiringPut(BUCKET, key, LEASE, Duration.ofSeconds(30))
                .put("two".getBytes(StandardCharsets.UTF_8), "application/json", Digests.md5("other".getBytes())))
                .as("If-Match on another ETag").isInstanceOf(ObjectStore.PreconditionFailedException.class);
        s3.expiringPut(BUCKET, key, LEASE, Duration.ofSeconds(30)).put("two".getBytes(StandardCharsets.UTF_8),
                "application/json", etag);
        assertThat(s3.get(BUCKET, key)).hasValue("two".getBytes(StandardCharsets.UTF_8));

        s3.expiringDelete(BUCKET, key, Duration.ofSeconds(30)).delete();
        assertThat(s3.exists(BUCKET, key)).isFalse();
    }

    @Test
    void theServerRefusesAWriteSentAfterItsSignatureExpired(LocalStack stack) throws Exception {
        ObjectStore s3 = store(stack);
        String key = "expiring-" + UUID.randomUUID() + "/epoch-0001/generator.safetensors";
        ExpiringWrite late = s3.expiringPut(BUCKET, key, LEASE, Duration.ofSeconds(1));
        ExpiringWrite lateDelete = s3.expiringDelete(BUCKET, key, Duration.ofSeconds(1));
        Thread.sleep(2_100); // a writer frozen after it signed

        // the client does not check the clock itself: the refusal is the server's
        assertThatThrownBy(() -> late.put(new byte[] {2}, "application/octet-stream", null))
                .isInstanceOf(ExpiringWrite.ExpiredException.class);
        assertThat(s3.exists(BUCKET, key)).isFalse();
        s3.put(BUCKET, key, new byte[] {3}, "application/octet-stream");
        assertThatThrownBy(lateDelete::delete).isInstanceOf(ExpiringWrite.ExpiredException.class)
                .hasMessageContaining("403");
        assertThat(s3.exists(BUCKET, key)).isTrue();
    }

    private static ObjectStore store(LocalStack stack) {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
    }
}
