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

/**
 * Ready only while S3 answers and the buckets this service uses exist ({@code faces.health.buckets}). Each
 * service's S3 user may only see its own buckets, so a check of the others would fail on a 403.
 */
@Readiness
@ApplicationScoped
public class StorageReadiness implements HealthCheck {
    @Inject
    ObjectStore store;

    @ConfigProperty(name = "faces.health.buckets")
    List<String> buckets;

    @Override
    public HealthCheckResponse call() {
        Optional<String> problem = store.checkBuckets(buckets);
        return HealthCheckResponse.named("object-storage").status(problem.isEmpty())
                .withData("endpoint", store.endpoint())
                .withData("detail", problem.orElse("buckets present"))
                .build();
    }
}
