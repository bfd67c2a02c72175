package dev.faces.trainer;

import dev.faces.core.ObjectStore;
import dev.faces.trainer.data.ShardCache;
import dev.faces.trainer.data.ShardCatalog;
import dev.faces.trainer.messaging.CheckpointEvents;
import dev.faces.trainer.runs.RunManager;
import dev.faces.trainer.runs.RunStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.List;

/** Wires the plain domain classes; nothing below this class knows about Quarkus. */
@ApplicationScoped
public class TrainerBeans {

    @Produces
    @Singleton
    ShardCatalog catalog(TrainerConfig config) {
        return new ShardCatalog(Path.of(config.trainer().stateDir(), "catalog.json"));
    }

    @Produces
    @Singleton
    RunManager runManager(TrainerConfig config, ObjectStore store, ShardCatalog catalog, CheckpointEvents events,
                          TrainerMetrics metrics) {
        configureEngine(config);
        TrainerConfig.Trainer t = config.trainer();
        ShardCache cache = new ShardCache(store, config.buckets().datasets(), Path.of(t.stateDir(), "shards"),
                t.cacheMaxBytes());
        return new RunManager(new RunStore(store, config.buckets().checkpoints()), store, config.buckets().checkpoints(),
                catalog, cache, events, new RunManager.Settings(t.shardWindow(), t.prefetchBatches(), t.swdImages(),
                t.checkpointEverySteps()),
                runId -> List.of(metrics));
    }

    void start(@Observes StartupEvent ignored, RunManager runs) {
        runs.start();
    }

    /** SIGTERM: the loop stops between two steps before the JVM goes (never inside one). */
    void stop(@Observes ShutdownEvent ignored, RunManager runs) {
        runs.close();
    }

    private static void configureEngine(TrainerConfig config) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        if (config.trainer().threads() > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(config.trainer().threads()));
        }
    }
}
