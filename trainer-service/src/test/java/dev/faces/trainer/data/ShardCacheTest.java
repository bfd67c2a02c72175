package dev.faces.trainer.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.core.events.DatasetBatch;
import dev.faces.core.tensor.Npy;
import dev.faces.core.tensor.NpyArray;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Shards come from the real S3 server through the cache, and nothing that does not match its event is used. */
@ExtendWith(LocalStackExtension.class)
class ShardCacheTest {

    @Test
    void verifiesEveryShardAndKeepsTheCacheBounded(LocalStack stack, @TempDir Path dir) throws Exception {
        ObjectStore s3 = new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1");
        String ds = "cache-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] npy = Npy.write(NpyArray.uint8(new byte[4 * 3 * 64 * 64], 4, 3, 64, 64));
        s3.put(ObjectKeys.DATASETS_BUCKET, ObjectKeys.shard(ds, 0), npy, "application/octet-stream");
        s3.put(ObjectKeys.DATASETS_BUCKET, ObjectKeys.shard(ds, 1), npy, "application/octet-stream");
        ShardCache cache = new ShardCache(s3, ObjectKeys.DATASETS_BUCKET, dir, npy.length + 10);
        DatasetBatch good = new DatasetBatch(ds, 0, ObjectKeys.shard(ds, 0), 4, 64, Digests.sha256(npy), (long) npy.length);

        assertThat(cache.load(good).shape()).containsExactly(4, 3, 64, 64);
        s3.delete(ObjectKeys.DATASETS_BUCKET, ObjectKeys.shard(ds, 0));
        assertThat(cache.load(good).shape()).containsExactly(4, 3, 64, 64); // served from the local cache

        DatasetBatch wrongDigest = new DatasetBatch(ds, 1, ObjectKeys.shard(ds, 1), 4, 64, "f".repeat(64), (long) npy.length);
        assertThatThrownBy(() -> cache.load(wrongDigest)).isInstanceOf(ShardCache.CorruptShardException.class)
                .hasMessageContaining("has sha256 " + Digests.sha256(npy) + " but its event announced " + "f".repeat(64));
        DatasetBatch wrongCount = new DatasetBatch(ds, 1, ObjectKeys.shard(ds, 1), 5, 64, Digests.sha256(npy), (long) npy.length);
        assertThatThrownBy(() -> cache.load(wrongCount)).hasMessageContaining("holds 4 images but its event announced 5");
        DatasetBatch missing = new DatasetBatch(ds, 7, ObjectKeys.shard(ds, 7), 4, 64, Digests.sha256(npy), 1L);
        assertThatThrownBy(() -> cache.load(missing)).hasMessageContaining("is missing from s3://faces-datasets");

        try (var files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".npy")).count()).isEqualTo(1); // bounded to one shard
        }
    }
}
