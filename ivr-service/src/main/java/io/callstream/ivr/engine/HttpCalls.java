package io.callstream.ivr.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.contracts.Json;
import io.callstream.ivr.config.IvrConfig;
import io.callstream.servicekit.net.UrlPolicy;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.persistence.OptimisticLockException;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP-call node's requests: made after the step that asked for them has committed, off the
 * event consumer's thread (the JDK client is asynchronous; only the DNS check of the URL runs on a
 * small pool), each try with its own timeout, up to the node's max errors; the result (reply fields, or
 * the failure) goes back to the session in a transaction of its own.
 */
@ApplicationScoped
public class HttpCalls {
    private static final Logger LOG = Logger.getLogger(HttpCalls.class);

    /** What to send, and where the answer goes. */
    public record Request(String callId, String token, String url, Map<String, String> headers, Map<String, Object> body,
                          int timeoutSeconds, int tries) {
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ExecutorService dns = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "ivr-http-dns");
        t.setDaemon(true);
        return t;
    });
    private final UrlPolicy policy;
    private final Instance<IvrEngine> engine;

    HttpCalls(IvrConfig config, Instance<IvrEngine> engine) {
        this.policy = new UrlPolicy(config.http().allowlist().orElse(java.util.List.of()));
        this.engine = engine;
    }

    void stop(@Observes ShutdownEvent ignored) {
        dns.shutdownNow();
    }

    public void start(Request request) {
        attempt(request, 1);
    }

    private void attempt(Request r, int attempt) {
        CompletableFuture.supplyAsync(() -> {
            try {
                URI uri = URI.create(r.url());
                policy.resolveAllowed(uri); // DNS may point a public name at a private address: refuse that
                return uri;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, dns).thenCompose(uri -> client.sendAsync(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(r.timeoutSeconds()))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .headers(headerArray(r.headers()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(r.body())))
                .build(), HttpResponse.BodyHandlers.ofByteArray()))
                .whenComplete((response, error) -> {
                    String problem = null;
                    JsonNode reply = null;
                    if (error != null) {
                        problem = String.valueOf(error.getCause() != null ? error.getCause().getMessage() : error.getMessage());
                    } else if (response.statusCode() / 100 != 2) {
                        problem = "HTTP " + response.statusCode();
                    } else {
                        try {
                            reply = Json.MAPPER.readTree(new String(response.body(), StandardCharsets.UTF_8));
                            if (reply == null || !reply.isObject()) {
                                problem = "the reply is not a JSON object";
                                reply = null;
                            }
                        } catch (Exception e) {
                            problem = "the reply is not JSON";
                        }
                    }
                    if (reply == null && attempt < r.tries()) {
                        LOG.debugf("call %s: HTTP call to %s failed (%s), try %d of %d", r.callId(), r.url(), problem,
                                attempt, r.tries());
                        attempt(r, attempt + 1);
                        return;
                    }
                    if (reply == null) {
                        LOG.warnf("call %s: HTTP call to %s failed %d time(s), last: %s; the flow goes on with defaults",
                                r.callId(), r.url(), r.tries(), problem);
                    }
                    finish(r, reply, problem);
                });
    }

    private void finish(Request r, JsonNode reply, String problem) {
        for (int i = 0; i < 5; i++) {
            try {
                QuarkusTransaction.requiringNew().run(() -> engine.get().httpFinished(r.callId(), r.token(), reply, problem));
                return;
            } catch (RuntimeException e) {
                if (!conflict(e)) {
                    LOG.errorf(e, "call %s: the HTTP call's result could not be applied", r.callId());
                    return;
                }
                LOG.debugf("call %s: the session changed meanwhile (an event for the call); applying the HTTP result again",
                        r.callId());
            }
        }
    }

    /** A concurrent update of the same session (optimistic lock), however the transaction manager wraps it. */
    private static boolean conflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OptimisticLockException || t instanceof org.hibernate.StaleStateException) {
                return true;
            }
        }
        return false;
    }

    private static String[] headerArray(Map<String, String> headers) {
        if (headers == null || headers.isEmpty()) {
            return new String[] {"X-Callstream", "ivr"};
        }
        String[] pairs = new String[headers.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            pairs[i++] = h.getKey();
            pairs[i++] = h.getValue();
        }
        return pairs;
    }

    /** A reply value by dotted path ({@code data.customer.tier}, {@code items.0.id}); null when absent. */
    static String at(JsonNode reply, String path) {
        JsonNode node = reply;
        for (String part : path.split("\\.")) {
            if (node == null) {
                return null;
            }
            node = node.isArray() && part.matches("\\d+") ? node.get(Integer.parseInt(part)) : node.get(part);
        }
        if (node == null || node.isNull()) {
            return null;
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }
}
