package io.callstream.servicekit.problem;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * Oversized bodies are refused by the HTTP layer before any resource runs; this makes that refusal a
 * problem+json 413 too: up front when Content-Length says so, and when a streamed body overruns.
 */
@ApplicationScoped
public class BodyLimit {
    private final long maxBytes;

    BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M") MemorySize max) {
        this.maxBytes = max.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::checkDeclaredLength);
        router.route().order(Integer.MIN_VALUE).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                refuse(ctx);
            } else {
                ctx.next();
            }
        });
    }

    private void checkDeclaredLength(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > maxBytes) {
                    refuse(ctx);
                    return;
                }
            } catch (NumberFormatException ignored) {
                // malformed header: the HTTP layer answers 400 itself
            }
        }
        ctx.next();
    }

    private void refuse(RoutingContext ctx) {
        var r = ProblemMappers.respond(413, "payload-too-large", "the request body is larger than " + maxBytes
                + " bytes", null, List.of());
        ctx.response().setStatusCode(413)
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close")
                .end((String) r.getEntity());
    }
}
