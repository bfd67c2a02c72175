package dev.faces.generator.api;

import dev.faces.core.Problem;
import dev.faces.core.service.ProblemMappers.Problems;
import dev.faces.generator.model.FaceBatcher;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Overload is a 503 with Retry-After. Every other error is mapped once for all services, in pipeline-core
 * ({@link Problems} and its siblings).
 */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response overloaded(FaceBatcher.OverloadedException e) {
        return dev.faces.core.service.ProblemMappers.respond(Problem.of(503, "Overloaded",
                e.getMessage() + "; retry in a second"), "1");
    }
}
