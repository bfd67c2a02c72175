package dev.faces.generator;

import dev.faces.generator.model.LoadedModel;
import dev.faces.generator.model.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while a generator is loaded and the batcher's worker runs. Storage is not part of it: models are served
 * from memory, so an S3 outage must not take every replica out of its Service ({@link StorageHealth} reports it).
 */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
    @Inject
    ModelRegistry registry;

    @Inject
    dev.faces.generator.model.FaceBatcher batcher;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model").status(registry.current().isPresent() && batcher.isRunning())
                .withData("batcher", batcher.isRunning() ? "running" : "stopped")
                .withData("serving", registry.current().map(LoadedModel::version).orElse("none: no checkpoint loaded yet"))
                .build();
    }
}
