package dev.faces.generator;

import dev.faces.core.ObjectStore;
import dev.faces.generator.messaging.ServingState;
import dev.faces.generator.model.CheckpointLoader;
import dev.faces.generator.model.FaceBatcher;
import dev.faces.generator.model.ModelRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Wires the plain serving classes; loads the newest checkpoint in S3 on start. */
@ApplicationScoped
public class GeneratorBeans {
    private static final Logger LOG = Logger.getLogger(GeneratorBeans.class);

    @Produces
    @Singleton
    ModelRegistry registry(GeneratorConfig config, MeterRegistry meters) {
        ModelRegistry registry = new ModelRegistry(config.policy(), config.maxLoadedModels());
        Gauge.builder("faces.generator.model.load.failures", registry, ModelRegistry::failedLoads)
                .description("Checkpoints that could not be loaded").register(meters);
        Gauge.builder("faces.generator.model.loaded", registry, r -> r.current().isPresent() ? 1 : 0)
                .description("1 while a model is served").register(meters);
        Gauge.builder("faces.generator.models.in.memory", registry, ModelRegistry::loadedCount)
                .description("Checkpoints held in memory (served, pinned, previous)").register(meters);
        return registry;
    }

    @Produces
    @Singleton
    CheckpointLoader loader(ObjectStore store, ModelRegistry registry, GeneratorConfig config,
                            @ConfigProperty(name = "faces.buckets.checkpoints") String bucket) {
        return new CheckpointLoader(store, bucket, registry, config.variant());
    }

    /** The read-only view of the training runs behind the gallery (GET /api/runs...). */
    @Produces
    @Singleton
    dev.faces.generator.runs.RunCatalog runs(ObjectStore store,
                                             @ConfigProperty(name = "faces.buckets.checkpoints") String bucket) {
        return new dev.faces.generator.runs.RunCatalog(store, bucket, java.time.Duration.ofSeconds(5));
    }

    @Produces
    @Singleton
    FaceBatcher batcher(GeneratorConfig config, ModelRegistry registry, MeterRegistry meters) {
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        FaceBatcher batcher = new FaceBatcher(() -> registry.current().orElse(null), config.maxBatch(),
                config.maxWaitMicros(), config.maxQueuedFaces(), threads);
        Gauge.builder("faces.generator.queued.faces", batcher, FaceBatcher::queuedFaces)
                .description("Faces waiting for a forward pass").register(meters);
        return batcher;
    }

    void close(@Disposes FaceBatcher batcher) {
        batcher.close();
    }

    @jakarta.inject.Inject
    @io.smallrye.common.annotation.Identifier("default-kafka-broker")
    java.util.Map<String, Object> kafkaConfig;

    @Produces
    @Singleton
    ServingState serving(CheckpointLoader loader) {
        return new ServingState(kafkaConfig, new dev.faces.core.kafka.CloudEventProducer(kafkaConfig,
                "/faces/generator-service", java.time.Duration.ofSeconds(10)),
                change -> loader.follow(change.pinnedRunId() == null ? null
                                : new ModelRegistry.Pin(change.pinnedRunId(), change.pinnedEpoch()),
                        change.policy() == null ? null : ModelRegistry.Policy.valueOf(change.policy())));
    }

    void close(@Disposes ServingState serving) {
        serving.close();
    }

    private final java.util.concurrent.ScheduledExecutorService rescans =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "checkpoint-rescan");
                t.setDaemon(true);
                return t;
            });

    /**
     * Loads the newest checkpoint in S3 on start, then rescans now and then: a checkpoint published while this
     * replica was down or joining its consumer group is still picked up.
     */
    void start(@Observes StartupEvent ignored, CheckpointLoader loader, GeneratorConfig config, ServingState serving)
            throws InterruptedException {
        LOG.infof("inference: %s", dev.faces.generator.model.GeneratorModel.kernel());
        serving.start(java.time.Duration.ofSeconds(10)); // the shared pin and policy before the first choice
        scan(loader, true);
        if (config.rescanSeconds() > 0) {
            rescans.scheduleWithFixedDelay(() -> scan(loader, false), config.rescanSeconds(), config.rescanSeconds(),
                    java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static void scan(CheckpointLoader loader, boolean first) {
        try {
            var loaded = loader.scan();
            if (first) {
                loaded.ifPresentOrElse(v -> LOG.infof("serving %s", v),
                        () -> LOG.info("no checkpoint in S3 yet: answering 503 until one is published"));
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not scan S3 for checkpoints (%s); following checkpoint events", e.getMessage());
        }
    }
}
