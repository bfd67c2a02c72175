package dev.faces.ingest.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.Digests;
import dev.faces.core.ObjectStore;
import dev.faces.core.ObjectStore.StorageException;
import dev.faces.stack.LocalStack;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ObjectStore's PUT that carries the caller's SHA-256 as its checksum (what shards use), against the real S3 server. */
class DigestedPutTest {
    private static final String BUCKET = "faces-datasets";

    @Test
    void theServerStoresTheBodyAndRefusesOneThatDoesNotMatchItsDigest() {
        LocalStack stack = LocalStack.shared();
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        byte[] body = new byte[3 << 20];
        new Random(7).nextBytes(body);
        String key = "tests/digested-put/" + System.nanoTime() + "/shard-00000.npy";
        s3.put(BUCKET, key, body, "application/octet-stream", Digests.sha256(body));
        assertThat(s3.get(BUCKET, key)).hasValueSatisfying(stored -> assertThat(stored).isEqualTo(body));

        // The same body, sent with the digest of a body one byte different: refused, nothing stored.
        byte[] other = body.clone();
        other[12345] ^= 1;
        String refused = key.replace("00000", "00001");
        assertThatThrownBy(() -> s3.put(BUCKET, refused, body, "application/octet-stream", Digests.sha256(other)))
                .isInstanceOf(StorageException.class).hasMessageContaining("S3 answered 4");
        assertThat(s3.exists(BUCKET, refused)).isFalse();
    }
}
