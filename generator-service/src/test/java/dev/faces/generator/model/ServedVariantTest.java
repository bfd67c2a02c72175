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

/** MODEL_VARIANT on the real S3 server: which generator of a checkpoint is served, and what best ranks by. */
@ExtendWith(LocalStackExtension.class)
class ServedVariantTest {

    private static ObjectStore store(LocalStack stack) {
        return new ObjectStore(stack.s3Endpoint(), stack.accessKey(), stack.secretKey(), "us-east-1", Duration.ofSeconds(5));
    }

    private static String sha(ObjectStore s3, String key) {
        return Digests.sha256(s3.get(ObjectKeys.CHECKPOINTS_BUCKET, key).orElseThrow());
    }

    @Test
    void emaServesTheAverageWhereACheckpointHasOneAndGOtherwise(LocalStack stack) {
        ObjectStore s3 = store(stack);
        String run = "variant-" + UUID.randomUUID().toString().substring(0, 8);
        var withAverage = SampleCheckpoints.writeWithAverage(s3, run, 1, 41, 200.0, 150.0);
        ModelRegistry registry = new ModelRegistry(ModelRegistry.Policy.latest, 3);
        CheckpointLoader ema = new CheckpointLoader(s3, ObjectKeys.CHECKPOINTS_BUCKET, registry,
                CheckpointLoader.Variant.ema);
        ema.onEvent(run, 1, withAverage.generator().sha256(), 200.0, 150.0, java.time.Instant.now());
        LoadedModel served = registry.current().orElseThrow();
        assertThat(served.variant()).isEqualTo("ema");
        assertThat(served.sha256()).isEqualTo(sha(s3, ObjectKeys.generatorEma(run, 1)))
                .isNotEqualTo(sha(s3, ObjectKeys.generator(run, 1)));

        // A checkpoint from before G_ema: its G is served.
        var plain = SampleCheckpoints.write(s3, run, 2, 42, 180.0, false);
        ema.onEvent(run, 2, plain.generator().sha256(), 180.0, null, java.time.Instant.now());
        assertThat(registry.current().orElseThrow().variant()).isEqualTo("raw");
        assertThat(registry.current().orElseThrow().sha256()).isEqualTo(sha(s3, ObjectKeys.generator(run, 2)));
    }

    @Test
    void rawServesGAndBestRanksByTheServedVariantsSwd(LocalStack stack) {
        ObjectStore s3 = store(stack);
        String run = "variant-" + UUID.randomUUID().toString().substring(0, 8);
        // Epoch 1: G 120, G_ema 300. Epoch 2: G 200, G_ema 100.
        SampleCheckpoints.writeWithAverage(s3, run, 1, 51, 120.0, 300.0);
        SampleCheckpoints.writeWithAverage(s3, run, 2, 52, 200.0, 100.0);

        ModelRegistry rawRegistry = new ModelRegistry(ModelRegistry.Policy.best, 3);
        new CheckpointLoader(s3, ObjectKeys.CHECKPOINTS_BUCKET, rawRegistry, CheckpointLoader.Variant.raw).scan();
        LoadedModel raw = rawRegistry.entries().stream().anyMatch(e -> e.runId().equals(run))
                ? rawRegistry.current().orElseThrow() : null;
        assertThat(raw).isNotNull();
        assertThat(raw.variant()).isEqualTo("raw");

        ModelRegistry emaRegistry = new ModelRegistry(ModelRegistry.Policy.best, 3);
        new CheckpointLoader(s3, ObjectKeys.CHECKPOINTS_BUCKET, emaRegistry, CheckpointLoader.Variant.ema).scan();
        assertThat(emaRegistry.entry(run, 1).orElseThrow().swd()).isEqualTo(300.0);
        assertThat(emaRegistry.entry(run, 2).orElseThrow().swd()).isEqualTo(100.0);
        assertThat(rawRegistry.entry(run, 1).orElseThrow().swd()).isEqualTo(120.0);
        assertThat(rawRegistry.entry(run, 2).orElseThrow().swd()).isEqualTo(200.0);
    }
}
