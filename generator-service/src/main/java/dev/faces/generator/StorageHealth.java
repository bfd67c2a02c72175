package dev.faces.generator;

import dev.faces.core.ObjectStore;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * S3 as /q/health (and /q/health/well) shows it. Not a readiness check here: a generator with a model serves
 * from memory while storage is away, and reports storage as down meanwhile.
 */
@Wellness
@ApplicationScoped
public class StorageHealth implements HealthCheck {
    @Inject
    ObjectStore store;

    @ConfigProperty(name = "faces.buckets.checkpoints")
    String checkpointsBucket;

    @Override
    public HealthCheckResponse call() {
        Optional<String> problem = store.checkBuckets(List.of(checkpointsBucket));
        return HealthCheckResponse.named("object-storage").status(problem.isEmpty())
                .withData("endpoint", store.endpoint())
                .withData("detail", problem.orElse("bucket present"))
                .build();
    }
}
