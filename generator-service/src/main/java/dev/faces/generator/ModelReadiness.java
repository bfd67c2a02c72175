package dev.faces.generator;

import dev.faces.generator.model.LoadedModel;
import dev.faces.generator.model.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready to take traffic until a generator is loaded. */
@Readiness
@ApplicationScoped
public class ModelReadiness implements HealthCheck {
    @Inject
    ModelRegistry registry;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("model").status(registry.current().isPresent())
                .withData("serving", registry.current().map(LoadedModel::version).orElse("none: no checkpoint loaded yet"))
                .build();
    }
}
