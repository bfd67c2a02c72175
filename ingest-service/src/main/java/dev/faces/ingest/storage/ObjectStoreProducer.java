package dev.faces.ingest.storage;

import dev.faces.core.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The service's S3 client, configured from {@code faces.s3.*}. */
@ApplicationScoped
public class ObjectStoreProducer {

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(@ConfigProperty(name = "faces.s3.endpoint") String endpoint,
                            @ConfigProperty(name = "faces.s3.access-key") String accessKey,
                            @ConfigProperty(name = "faces.s3.secret-key") String secretKey,
                            @ConfigProperty(name = "faces.s3.region") String region) {
        return new ObjectStore(endpoint, accessKey, secretKey, region);
    }
}
