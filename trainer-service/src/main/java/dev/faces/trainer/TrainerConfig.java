package dev.faces.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

@ConfigMapping(prefix = "faces")
public interface TrainerConfig {

    @WithName("admin-token")
    String adminToken();

    Buckets buckets();

    S3 s3();

    Trainer trainer();

    interface Buckets {
        String datasets();

        String checkpoints();
    }

    interface S3 {
        String endpoint();

        String accessKey();

        String secretKey();

        String region();

        /** How long an unreachable S3 is retried (with backoff) before an operation fails. */
        @WithDefault("120")
        int retrySeconds();
    }

    interface Trainer {
        /** Local folder for the shard catalogue and the shard cache. */
        @WithDefault("${java.io.tmpdir}/faces-trainer")
        String stateDir();

        /** Upper bound of the local shard cache. */
        @WithDefault("4294967296")
        long cacheMaxBytes();

        /** Shards whose images are shuffled together. */
        @WithDefault("4")
        int shardWindow();

        /** Batches prepared ahead of the training step. */
        @WithDefault("3")
        int prefetchBatches();

        /** Real images held back from training to measure SWD against. */
        @WithDefault("512")
        int swdImages();

        /** Mid-epoch resume state every N steps (0: only the per-epoch checkpoints). */
        @WithDefault("0")
        int checkpointEverySteps();

        /** Start a run automatically when a dataset completes. */
        @WithDefault("false")
        boolean autoTrain();

        /** Epochs of an automatically started run. */
        @WithDefault("5")
        int autoTrainEpochs();

        /** Intra-op threads of libtorch (0: its own default, one per core). */
        @WithDefault("0")
        int threads();
    }
}
