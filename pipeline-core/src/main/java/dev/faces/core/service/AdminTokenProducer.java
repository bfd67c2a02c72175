package dev.faces.core.service;

import dev.faces.core.AdminToken;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/**
 * The token every service's write endpoints require, from {@code faces.admin-token} (CDI; no Quarkus API).
 * It is read when the application starts, so that a production start without ADMIN_TOKEN fails at once, with
 * the configuration's own message naming the variable ("Could not expand value ADMIN_TOKEN").
 */
@ApplicationScoped
public class AdminTokenProducer {

    @Produces
    @Singleton
    AdminToken adminToken(Config config) {
        return new AdminToken(config.getValue("faces.admin-token", String.class));
    }

    void readAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started, AdminToken token) {
        // Injecting the token is the check.
    }
}
