package dev.faces.core.service;

import dev.faces.core.ObjectStore;
import dev.faces.core.Problem;
import dev.faces.core.ProblemException;
import dev.faces.core.events.EventFormatException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every error of every service leaves as RFC 9457 problem+json: bad input is a 4xx saying what is allowed,
 * storage away and overload are 503 with Retry-After, and a bug is a 500 with a problem body (and a log line).
 */
public final class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class.getName());

    private ProblemMappers() {
    }

    public static Response respond(Problem p, String retryAfterSeconds) {
        Response.ResponseBuilder r = Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p);
        if (retryAfterSeconds != null) {
            r.header("Retry-After", retryAfterSeconds);
        }
        return r.build();
    }

    @Provider
    public static final class Problems implements ExceptionMapper<ProblemException> {
        @Override
        public Response toResponse(ProblemException e) {
            return respond(e.problem(), e.problem().status() == 503 ? "2" : null);
        }
    }

    @Provider
    public static final class BadEvents implements ExceptionMapper<EventFormatException> {
        @Override
        public Response toResponse(EventFormatException e) {
            return respond(Problem.of(400, "Invalid request", e.getMessage()), null);
        }
    }

    @Provider
    public static final class StorageAway implements ExceptionMapper<ObjectStore.StorageException> {
        @Override
        public Response toResponse(ObjectStore.StorageException e) {
            return respond(Problem.of(503, "Storage unavailable", "object storage did not answer (" + e.getMessage()
                    + "); retry shortly"), "10");
        }
    }

    @Provider
    public static final class Web implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            return respond(Problem.of(status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage()), null);
        }
    }

    /** A bug: 500, with a problem body that says so, and the stack trace in the log. */
    @Provider
    public static final class Unexpected implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            LOG.log(Level.SEVERE, "request failed unexpectedly", e);
            return respond(Problem.of(500, "Internal Server Error", "the request failed unexpectedly ("
                    + e.getClass().getSimpleName() + "); the service log has the details"), null);
        }
    }
}
