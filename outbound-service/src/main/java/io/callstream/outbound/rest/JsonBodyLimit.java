package io.callstream.outbound.rest;

import io.callstream.servicekit.problem.Problem;
import io.callstream.servicekit.problem.ProblemMappers;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/**
 * outbound-service lets bodies up to the callee upload limit through the HTTP layer (uploads stream);
 * every other request is parsed whole, so one declaring more than {@link #MAX_JSON_BYTES} is refused
 * with a problem+json 413 before it is read. 10,000 inline callees with variables fit well within it.
 */
@ApplicationScoped
public class JsonBodyLimit {
    static final long MAX_JSON_BYTES = 32L * 1024 * 1024;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        if (length != null && !ctx.request().path().endsWith("/callees")) {
            try {
                if (Long.parseLong(length.trim()) > MAX_JSON_BYTES) {
                    var r = ProblemMappers.respond(413, "payload-too-large", "a request body other than a callee upload "
                            + "may be at most " + MAX_JSON_BYTES + " bytes; upload callees as CSV or NDJSON to "
                            + "/api/v1/tasks/{id}/callees", null, List.<Problem.FieldError>of());
                    ctx.response().setStatusCode(413).putHeader("Content-Type", Problem.MEDIA_TYPE)
                            .putHeader("Connection", "close").end((String) r.getEntity());
                    return;
                }
            } catch (NumberFormatException ignored) {
                // malformed: the HTTP layer answers 400 itself
            }
        }
        ctx.next();
    }
}
