package dev.faces.ingest;

import dev.faces.core.AdminToken;
import dev.faces.core.ObjectStore;
import dev.faces.ingest.job.IngestJobs;
import dev.faces.ingest.messaging.DatasetEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the plain ingest classes. */
@ApplicationScoped
public class IngestBeans {

    @Produces
    @Singleton
    IngestJobs jobs(IngestConfig config, ObjectStore store, DatasetEvents events,
                    @ConfigProperty(name = "faces.buckets.datasets") String bucket) {
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        return new IngestJobs(store, bucket, events, config.allowedRoots().stream().map(Path::of).toList(),
                config.shardSize(), config.maxFileBytes(), config.maxZipBytes(), threads);
    }

    void close(@Disposes IngestJobs jobs) {
        jobs.close();
    }

    @Produces
    @Singleton
    AdminToken adminToken(@ConfigProperty(name = "faces.admin-token") String token) {
        return new AdminToken(token);
    }
}
