package dev.faces.ingest.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.Digests;
import dev.faces.core.ObjectStore;
import dev.faces.core.ObjectStore.StorageException;
import dev.faces.stack.LocalStack;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** ObjectStore's PUT of bytes whose SHA-256 the caller has (what shards use), against the real S3 server. */
class DigestedPutTest {
    private static final String BUCKET = "faces-datasets";

    @Test
    void theServerStoresTheBodyWithItsDigestAndRefusesOneThatDoesNotMatchItsChecksum() throws Exception {
        LocalStack stack = LocalStack.shared();
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        byte[] body = new byte[3 << 20];
        new Random(7).nextBytes(body);
        String key = "tests/digested-put/" + System.nanoTime() + "/shard-00000.npy";
        s3.put(BUCKET, key, body, "application/octet-stream", Digests.sha256(body));
        assertThat(s3.get(BUCKET, key)).hasValueSatisfying(stored -> assertThat(stored).isEqualTo(body));
        MinioClient minio = MinioClient.builder().endpoint(stack.s3Endpoint())
                .credentials(stack.accessKey(), stack.secretKey()).build();
        assertThat(minio.statObject(StatObjectArgs.builder().bucket(BUCKET).object(key).build()).userMetadata())
                .containsEntry("sha256", Digests.sha256(body));

        // The same body, sent with the CRC-32 of a body one byte different: refused, nothing stored.
        byte[] other = body.clone();
        other[12345] ^= 1;
        String refused = key.replace("00000", "00001");
        assertThatThrownBy(() -> s3.put(BUCKET, refused, body, "application/octet-stream", Digests.sha256(body),
                crc32(other))).isInstanceOf(StorageException.class).hasMessageContaining("S3 answered 4");
        assertThat(s3.exists(BUCKET, refused)).isFalse();
    }

    private static int crc32(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
