package dev.faces.core.service;

import dev.faces.core.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while S3 answers and the pipeline's buckets exist. */
@Readiness
@ApplicationScoped
public class StorageReadiness implements HealthCheck {
    @Inject
    ObjectStore store;

    @ConfigProperty(name = "faces.buckets.datasets")
    String datasetsBucket;

    @ConfigProperty(name = "faces.buckets.checkpoints")
    String checkpointsBucket;

    @Override
    public HealthCheckResponse call() {
        Optional<String> problem = store.checkBuckets(List.of(datasetsBucket, checkpointsBucket));
        return HealthCheckResponse.named("object-storage").status(problem.isEmpty())
                .withData("endpoint", store.endpoint())
                .withData("detail", problem.orElse("buckets present"))
                .build();
    }
}
