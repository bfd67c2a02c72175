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

    /** Read by pipeline-core's StorageReadiness; mapped here because this mapping owns the faces.* names. */
    Health health();

    interface Health {
        /** The buckets readiness checks: the ones this service uses. */
        java.util.List<String> buckets();
    }

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
        /** Local folder for the shard cache (a cache only: an empty one costs downloads, nothing else). */
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

        /**
         * Batches of 128 random latents over which G's (and G_ema's) BatchNorm statistics are recalibrated at each
         * epoch's end, as exact averages: fewer is faster, the statistics noisier.
         */
        @WithDefault("8")
        int calibrationBatches();

        /** Real images held back from training to measure SWD against. */
        @WithDefault("512")
        int swdImages();

        /** Mid-epoch resume state every N steps (0: only the per-epoch checkpoints, and on a stop). */
        @WithDefault("0")
        int checkpointEverySteps();

        /** How long a run waits after S3 or Kafka stayed away past their retries, before it tries again. */
        @WithDefault("30")
        int pauseSeconds();

        /**
         * How long a shutdown or a revoked partition may wait for the run to finish its step and save its
         * resume state. The pod's grace period must cover it (see docs/TRAINER.md).
         */
        @WithDefault("150")
        int releaseTimeoutSeconds();

        /**
         * How long a write into a run, signed before its owner checked that it still holds the run, is valid on the
         * S3 server's clock (docs/TRAINER.md, "Fencing"). Longer than one write takes; clocks must agree within it.
         */
        @WithDefault("10")
        int fenceWriteValiditySeconds();

        /**
         * How long the S3 server may still take a request body after its signature expired: the server's idle
         * timeout (30 s for MinIO and S3Proxy, about 20 s for AWS S3). A new owner of a run that its previous owner
         * did not release waits the validity plus this before it touches the run.
         */
        @WithDefault("30")
        int fenceInFlightSeconds();

        /** Session timeout of the trainers' consumer group: how soon a dead trainer's runs move to another. */
        @WithDefault("10")
        int sessionTimeoutSeconds();

        /** Consumer group of the trainers on faces.training-requests: replicas in one group share the runs. */
        @WithDefault("trainer-service-runs")
        String group();

        /** Seconds between two S3 lookups of a dataset that a queued run waits for. */
        @WithDefault("10")
        int datasetLookupSeconds();

        /** Start a run automatically when a dataset completes. */
        @WithDefault("false")
        boolean autoTrain();

        /** Epochs of an automatically started run. */
        @WithDefault("5")
        int autoTrainEpochs();

        /** Where to train: auto (a GPU when libtorch sees one), cpu, gpu or gpu:N (see Devices). */
        @WithDefault("auto")
        String device();

        /** Intra-op threads of libtorch (0: its own default, one per core). */
        @WithDefault("0")
        int threads();
    }
}
