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
 * A body sent chunked (no declared length) to anything but an upload is refused with 411: the HTTP
 * layer would buffer up to the upload limit before parsing, far more than the heap. HTTP/2, where a body
 * of no declared length cannot be told from no body when the request arrives, is switched off for this
 * service ({@code quarkus.http.http2=false}): clients speak HTTP/1.1.
 */
@ApplicationScoped
public class JsonBodyLimit {
    static final long MAX_JSON_BYTES = 32L * 1024 * 1024;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        boolean upload = ctx.request().path().endsWith("/callees");
        String encoding = ctx.request().getHeader("Transfer-Encoding");
        boolean chunked = encoding != null && encoding.toLowerCase(java.util.Locale.ROOT).contains("chunked");
        if (length == null && !upload && chunked) {
            refuse(ctx, 411, "length-required", "a request body other than a callee upload must declare its "
                    + "Content-Length (at most " + MAX_JSON_BYTES + " bytes); upload callees, which may be sent chunked, "
                    + "as CSV or NDJSON to /api/v1/tasks/{id}/callees");
            return;
        }
        if (length != null && !upload) {
            try {
                if (Long.parseLong(length.trim()) > MAX_JSON_BYTES) {
                    refuse(ctx, 413, "payload-too-large", "a request body other than a callee upload may be at most "
                            + MAX_JSON_BYTES + " bytes; upload callees as CSV or NDJSON to /api/v1/tasks/{id}/callees");
                    return;
                }
            } catch (NumberFormatException ignored) {
                // malformed: the HTTP layer answers 400 itself
            }
        }
        ctx.next();
    }

    private static void refuse(RoutingContext ctx, int status, String type, String detail) {
        var r = ProblemMappers.respond(status, type, detail, null, List.<Problem.FieldError>of());
        ctx.response().setStatusCode(status).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close").end((String) r.getEntity());
    }
}
