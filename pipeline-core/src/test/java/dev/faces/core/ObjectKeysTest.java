package dev.faces.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ObjectKeysTest {

    @Test
    void layoutMatchesTheDesign() {
        assertThat(ObjectKeys.manifest("celeba")).isEqualTo("celeba/manifest.json");
        assertThat(ObjectKeys.shard("celeba", 7)).isEqualTo("celeba/shards/shard-000007.npy");
        assertThat(ObjectKeys.shardIndex("celeba", 7)).isEqualTo("celeba/shards/shard-000007.json");
        assertThat(ObjectKeys.rejected("celeba")).isEqualTo("celeba/rejected.jsonl");
        assertThat(ObjectKeys.runJson("r1")).isEqualTo("r1/run.json");
        assertThat(ObjectKeys.metricsLog("r1")).isEqualTo("r1/metrics.jsonl");
        assertThat(ObjectKeys.generator("r1", 1)).isEqualTo("r1/epoch-0001/generator.safetensors");
        assertThat(ObjectKeys.discriminator("r1", 12)).isEqualTo("r1/epoch-0012/discriminator.safetensors");
        assertThat(ObjectKeys.optimizer("r1", 1)).isEqualTo("r1/epoch-0001/optimizer.safetensors");
        assertThat(ObjectKeys.samples("r1", 1)).isEqualTo("r1/epoch-0001/samples.png");
        assertThat(ObjectKeys.epochMetrics("r1", 1)).isEqualTo("r1/epoch-0001/metrics.json");
        assertThat(ObjectKeys.modelVersion("r1", 3)).isEqualTo("r1/epoch-0003");
        assertThat(Topics.all()).containsExactly("faces.datasets", "faces.datasets.dlq", "faces.training-requests",
                "faces.training-requests.dlq", "faces.checkpoints", "faces.checkpoints.dlq", "faces.serving",
                "faces.serving.dlq");
        assertThat(Topics.isCompacted(Topics.SERVING)).isTrue();
        assertThat(Topics.partitions(Topics.SERVING)).isEqualTo(1);
        assertThat(ObjectKeys.checkpointManifest("r1", 2)).isEqualTo("r1/epoch-0002/checkpoint.json");
        assertThat(ObjectKeys.resumePart("r1", 42, "generator.safetensors"))
                .isEqualTo("r1/resume/step-0000000042/generator.safetensors");
        assertThat(ObjectKeys.resumePointer("r1")).isEqualTo("r1/resume/latest.json");
        assertThat(ObjectKeys.parseCheckpointKey("x/epoch-99999999999/metrics.json")).as("an odd key").isEmpty();
    }

    @Test
    void unsafeIdsNeverBecomeKeys() {
        assertThatThrownBy(() -> ObjectKeys.manifest("../x")).hasMessageContaining("is not allowed");
        assertThatThrownBy(() -> ObjectKeys.runJson("a/b")).hasMessageContaining("is not allowed");
        assertThatThrownBy(() -> ObjectKeys.runJson("")).hasMessage("runId is required");
        assertThatThrownBy(() -> ObjectKeys.generator("r1", 0)).hasMessage("epoch must be >= 1, was 0");
    }

    @Test
    void checkpointKeysParseBack() {
        assertThat(ObjectKeys.parseCheckpointKey("r1/epoch-0003/generator.safetensors"))
                .contains(new ObjectKeys.CheckpointRef("r1", 3));
        assertThat(ObjectKeys.parseCheckpointKey("r1/run.json")).isEmpty();
        assertThat(ObjectKeys.parseCheckpointKey("r1/epoch-0000/generator.safetensors")).isEmpty();
    }
}
