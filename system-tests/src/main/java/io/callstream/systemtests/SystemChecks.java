package io.callstream.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.contracts.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the end-to-end system tests share: checks that count failures, polling, REST calls, the simulator's transcripts. */
final class SystemChecks {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static int failures;

    static void check(boolean ok, String what) {
        System.out.println((ok ? "  ok    " : "  FAIL  ") + what);
        if (!ok) {
            failures++;
        }
    }

    static long count(List<String> prompts, String text) {
        return prompts.stream().filter(p -> p.contains(text)).count();
    }

    static List<String> prompts(String pbx, String callId) throws Exception {
        List<String> out = new ArrayList<>();
        transcript(pbx, callId).get("prompts").forEach(p -> out.add(p.asText()));
        return out;
    }

    static JsonNode transcript(String pbx, String callId) throws Exception {
        return get(pbx + "/calls/" + callId, null);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    /** Polls (a system test of real processes: there is no event to wait on) until ok or the deadline. */
    static void await(Duration limit, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // the service is restarting
            }
            if (System.nanoTime() > deadline) {
                System.out.println("  FAIL  timed out waiting for " + what);
                System.exit(1);
            }
            Thread.sleep(200);
        }
    }

    /** Polls like {@link #await} but answers whether ok came before the deadline, so the caller can say what it saw. */
    static boolean within(Duration limit, Check check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (check.ok()) {
                    return true;
                }
            } catch (java.io.IOException notYet) {
                // the service is restarting
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
    }

    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return 0;
        }
    }

    static JsonNode get(String url, String token) throws Exception {
        return send("GET", url, token, null, 200);
    }

    static JsonNode send(String method, String url, String token, JsonNode body, int expected) throws Exception {
        return send(method, url, token, body, expected, java.util.Map.of());
    }

    static JsonNode send(String method, String url, String token, JsonNode body, int expected,
                         java.util.Map<String, String> headers) throws Exception {
        HttpResponse<String> response = exchange(method, url, token, body, headers);
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + " → " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? null : Json.MAPPER.readTree(response.body());
    }

    /** A JSON request as it comes back, whatever its status. */
    static HttpResponse<String> exchange(String method, String url, String token, JsonNode body,
                                         java.util.Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The benchmarks' request: a text body (or none) of {@code contentType}, the response body back; a status
     * other than {@code expected}, or with {@code expected} null any status from 300 up, throws.
     */
    static String call(HttpClient http, String method, String url, String token, String contentType, String body,
                       Integer expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(120));
        if (body != null) {
            b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (expected != null ? r.statusCode() != expected : r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + url + " → " + r.statusCode() + ": "
                    + r.body().substring(0, Math.min(2000, r.body().length())));
        }
        return r.body();
    }

    /** Prints the verdict and exits with it. */
    /**
     * Stamps a topic's records with the broker's append time (LogAppendTime), or sets it back to the
     * producers' CreateTime: a benchmark then measures from and to "on Kafka" on the broker's clock,
     * without its own niced producer's sending in the figure.
     */
    static void logAppendTime(String bootstrap, String topic, boolean on) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", bootstrap))) {
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            var entry = new org.apache.kafka.clients.admin.ConfigEntry("message.timestamp.type", "LogAppendTime");
            var op = new org.apache.kafka.clients.admin.AlterConfigOp(entry, on
                    ? org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET : org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE);
            admin.incrementalAlterConfigs(java.util.Map.of(resource, List.of(op))).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /**
     * ANALYZE of a service's database, as autovacuum would do within its one-minute naptime: a benchmark on
     * a new stack would otherwise measure statements planned on empty tables.
     */
    static void analyze(java.sql.Connection db) throws java.sql.SQLException {
        try (var st = db.createStatement()) {
            st.execute("ANALYZE");
        }
    }

    static void finish(String name) {
        System.out.println(failures == 0 ? name + ": ALL CHECKS PASSED" : name + ": " + failures + " CHECK(S) FAILED");
        System.exit(failures == 0 ? 0 : 1);
    }

    private SystemChecks() {
    }
}
