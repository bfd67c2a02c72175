package dev.faces.core.service;

import dev.faces.core.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The S3 client of every service, configured from {@code faces.s3.*} (CDI; no Quarkus API). */
@ApplicationScoped
public class ObjectStoreProducer {

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(@ConfigProperty(name = "faces.s3.endpoint") String endpoint,
                            @ConfigProperty(name = "faces.s3.access-key") String accessKey,
                            @ConfigProperty(name = "faces.s3.secret-key") String secretKey,
                            @ConfigProperty(name = "faces.s3.region") String region,
                            @ConfigProperty(name = "faces.s3.retry-seconds", defaultValue = "120") int retrySeconds) {
        return new ObjectStore(endpoint, accessKey, secretKey, region, Duration.ofSeconds(retrySeconds));
    }
}
