package dev.faces.generator.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faces.core.Digests;
import dev.faces.core.ObjectKeys;
import dev.faces.core.ObjectStore;
import dev.faces.stack.LocalStack;
import dev.faces.stack.LocalStackExtension;
import dev.faces.stack.SampleCheckpoints;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A checkpoint read while it is being written again (the manifest of one write, the object of the next) is not
 * rejected for it, and a rejected checkpoint whose checkpoint.json is written again is judged again. On the real
 * S3 server.
 */
@ExtendWith(LocalStackExtension.class)
class TornReadTest {
    private static final String BUCKET = ObjectKeys.CHECKPOINTS_BUCKET;

    private static ObjectStore store(LocalStack stack) {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1", Duration.ofSeconds(5));
    }

    @Test
    void anObjectOfTheNextWriteIsReadAgainUntilItsManifestArrives(LocalStack stack) throws Exception {
        ObjectStore s3 = store(stack);
        String run = "torn-" + UUID.randomUUID().toString().substring(0, 8);
        SampleCheckpoints.write(s3, run, 1, 61, 100.0, false);
        // The epoch is being written again: its new generator is stored, its new checkpoint.json not yet.
        byte[] next = SampleCheckpoints.generator(62);
        s3.put(BUCKET, ObjectKeys.generator(run, 1), next, "application/octet-stream");
        Thread writer = new Thread(() -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                return;
            }
            SampleCheckpoints.write(s3, run, 1, 62, 90.0, false);
        });
        writer.start();

        ModelRegistry registry = new ModelRegistry(ModelRegistry.Policy.latest, 3);
        new CheckpointLoader(s3, BUCKET, registry).scan();
        writer.join();

        ModelRegistry.Entry entry = registry.entry(run, 1).orElseThrow();
        assertThat(entry.status()).as("%s", entry.reason()).isEqualTo(ModelRegistry.Status.loaded);
        assertThat(registry.current().orElseThrow().sha256()).isEqualTo(Digests.sha256(next));
    }

    @Test
    void aRejectedCheckpointWrittenAgainIsJudgedAgainByTheNextScan(LocalStack stack) throws Exception {
        ObjectStore s3 = store(stack);
        String run = "rewritten-" + UUID.randomUUID().toString().substring(0, 8);
        SampleCheckpoints.write(s3, run, 1, 71, 100.0, true); // the object is not the one checkpoint.json lists
        ModelRegistry registry = new ModelRegistry(ModelRegistry.Policy.latest, 3);
        CheckpointLoader loader = new CheckpointLoader(s3, BUCKET, registry);
        loader.scan();
        ModelRegistry.Entry rejected = registry.entry(run, 1).orElseThrow();
        assertThat(rejected.status()).isEqualTo(ModelRegistry.Status.rejected);
        assertThat(rejected.reason()).contains("sha256 mismatch").contains("read 3 times");

        loader.scan(); // nothing was written again: the verdict stands
        assertThat(registry.entry(run, 1).orElseThrow().status()).isEqualTo(ModelRegistry.Status.rejected);

        Thread.sleep(1100); // S3 keeps last-modified times to the second
        SampleCheckpoints.write(s3, run, 1, 71, 100.0, false); // the same checkpoint, written again right
        loader.scan();
        ModelRegistry.Entry after = registry.entry(run, 1).orElseThrow();
        assertThat(after.status()).as("%s", after.reason()).isEqualTo(ModelRegistry.Status.loaded);
        assertThat(registry.current().orElseThrow().version()).isEqualTo(LoadedModel.version(run, 1));
    }
}
