package dev.faces.trainer;

import dev.faces.core.ObjectStore;
import dev.faces.core.kafka.CloudEventProducer;
import dev.faces.trainer.data.DatasetManifests;
import dev.faces.trainer.data.ShardCache;
import dev.faces.trainer.data.ShardCatalog;
import dev.faces.trainer.gan.Devices;
import dev.faces.trainer.messaging.CheckpointEvents;
import dev.faces.trainer.messaging.TrainingRequestLeases;
import dev.faces.trainer.runs.CheckpointAnnouncer;
import dev.faces.trainer.runs.ResumeStates;
import dev.faces.trainer.runs.RunManager;
import dev.faces.trainer.runs.RunLease;
import dev.faces.trainer.runs.RunStore;
import dev.faces.trainer.runs.RunTraining;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** Wires the plain domain classes; nothing below this class knows about Quarkus. */
@ApplicationScoped
public class TrainerBeans {
    private static final Logger LOG = Logger.getLogger(TrainerBeans.class);

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private TrainingRequestLeases leases;

    @Produces
    @Singleton
    DatasetManifests manifests(TrainerConfig config, ObjectStore store) {
        return new DatasetManifests(store, config.buckets().datasets());
    }

    @Produces
    @Singleton
    ShardCatalog catalog(TrainerConfig config, DatasetManifests manifests) {
        return new ShardCatalog(manifests::read, Duration.ofSeconds(config.trainer().datasetLookupSeconds()));
    }

    /** One Kafka producer for everything the trainer sends: checkpoint and run events, requests, dead letters. */
    @Produces
    @Singleton
    CloudEventProducer producer() {
        return new CloudEventProducer(kafkaConfig, CheckpointEvents.SOURCE, Duration.ofSeconds(30));
    }

    void close(@Disposes CloudEventProducer producer) {
        producer.close();
    }

    @Produces
    @Singleton
    CheckpointEvents events(CloudEventProducer producer) {
        return new CheckpointEvents(producer);
    }

    @Produces
    @Singleton
    RunManager runManager(TrainerConfig config, ObjectStore store, ShardCatalog catalog, CheckpointEvents events,
                          TrainerMetrics metrics) {
        configureEngine(config);
        TrainerConfig.Trainer t = config.trainer();
        Devices.Choice device = Devices.select(t.device());
        LOG.infof("training device: %s", device.description());
        metrics.device(device.name());
        String bucket = config.buckets().checkpoints();
        ShardCache cache = new ShardCache(store, config.buckets().datasets(), Path.of(t.stateDir(), "shards"),
                t.cacheMaxBytes());
        RunManager.Settings settings = new RunManager.Settings(t.shardWindow(), t.prefetchBatches(), t.swdImages(),
                t.checkpointEverySteps(), Duration.ofSeconds(t.pauseSeconds()),
                Duration.ofSeconds(t.releaseTimeoutSeconds()), t.calibrationBatches());
        RunStore runStore = new RunStore(store, bucket, new RunLease.Timing(
                Duration.ofSeconds(t.fenceWriteValiditySeconds()), Duration.ofSeconds(t.fenceInFlightSeconds())));
        RunTraining training = new RunTraining(store, bucket, cache, runStore, new ResumeStates(store, bucket),
                new CheckpointAnnouncer(store, bucket, events), settings, runId -> List.of(metrics), device);
        return new RunManager(runStore, store, bucket, catalog, training, events, settings, device.description());
    }

    void start(@Observes StartupEvent ignored, RunManager runs, TrainerConfig config, DatasetManifests manifests,
               ShardCatalog catalog, CloudEventProducer producer) {
        try {
            manifests.all().forEach(catalog::add);
            LOG.infof("shard catalogue rebuilt from S3: %d dataset(s)", catalog.datasetIds().size());
        } catch (ObjectStore.StorageException e) {
            LOG.warnf("S3 unreachable at start (%s): datasets are looked up when runs need them", e.getMessage());
        }
        runs.start();
        leases = new TrainingRequestLeases(kafkaConfig, config.trainer().group(),
                Duration.ofSeconds(config.trainer().sessionTimeoutSeconds()), runs, producer);
        leases.start();
    }

    /**
     * SIGTERM: the run in training stops between two steps and writes its resume state, then the trainer leaves
     * the consumer group, so its partitions move to another trainer at once.
     */
    void stop(@Observes ShutdownEvent ignored, RunManager runs) {
        runs.close();
        if (leases != null) {
            leases.close();
        }
    }

    private static void configureEngine(TrainerConfig config) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        if (config.trainer().threads() > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(config.trainer().threads()));
        }
    }
}
