package dev.faces.core.service;

import dev.faces.core.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.eclipse.microprofile.config.Config;

/**
 * The S3 client of every service, configured from {@code faces.s3.*} (CDI; no Quarkus API). The credentials
 * are read when the application starts, so that a production start without S3_ACCESS_KEY or S3_SECRET_KEY
 * fails at once with the configuration's message naming the variable.
 */
@ApplicationScoped
public class ObjectStoreProducer {

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(Config config) {
        return new ObjectStore(config.getValue("faces.s3.endpoint", String.class), accessKey(config),
                secretKey(config), config.getValue("faces.s3.region", String.class),
                Duration.ofSeconds(config.getOptionalValue("faces.s3.retry-seconds", Integer.class).orElse(120)));
    }

    void readCredentialsAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started, Config config) {
        accessKey(config);
        secretKey(config);
    }

    private static String accessKey(Config config) {
        return config.getValue("faces.s3.access-key", String.class);
    }

    private static String secretKey(Config config) {
        return config.getValue("faces.s3.secret-key", String.class);
    }
}
