package dev.faces.core.service;

import dev.faces.core.AdminToken;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The token every service's write endpoints require, from {@code faces.admin-token} (CDI; no Quarkus API). */
@ApplicationScoped
public class AdminTokenProducer {

    @Produces
    @Singleton
    AdminToken adminToken(@ConfigProperty(name = "faces.admin-token") String token) {
        return new AdminToken(token);
    }
}
