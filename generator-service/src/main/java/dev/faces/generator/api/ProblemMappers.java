package dev.faces.generator.api;

import dev.faces.core.Problem;
import dev.faces.core.ProblemException;
import dev.faces.generator.model.FaceBatcher;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error leaves as RFC 9457 problem+json; overload and a missing model are 503 with Retry-After. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        Response.ResponseBuilder r = respond(e.problem());
        if (e.problem().status() == 503) {
            r.header("Retry-After", "2");
        }
        return r.build();
    }

    @ServerExceptionMapper
    public Response overloaded(FaceBatcher.OverloadedException e) {
        return respond(Problem.of(503, "Overloaded", e.getMessage() + "; retry in a second")).header("Retry-After", "1")
                .build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return respond(Problem.of(status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage())).build();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("request failed", e);
        return respond(Problem.of(503, "Service Unavailable", "could not draw faces: " + e.getMessage()))
                .header("Retry-After", "2").build();
    }

    static Response.ResponseBuilder respond(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p);
    }
}
