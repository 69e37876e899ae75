package io.callstream.pbx;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Transcripts over HTTP: {@code GET /calls}, {@code GET /calls/{id}}, {@code GET /channels},
 * {@code POST /calls} with a caller in the scenario format to place a call, and
 * {@code PUT /callees/{number}} with a callee in the scenario format to (re)define an outside number.
 */
final class TranscriptHttpServer implements AutoCloseable {
    private static final int MAX_BODY = 64 * 1024;

    private final Pbx pbx;
    private final HttpServer server;
    private final ExecutorService executor;

    TranscriptHttpServer(Pbx pbx, int port) throws IOException {
        this.pbx = pbx;
        this.server = HttpServer.create(new InetSocketAddress(port), 16);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "pbx-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/calls", this::calls);
        server.createContext("/channels", this::channels);
        server.createContext("/callees", this::callees);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void calls(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String rest = path.length() > "/calls".length() ? path.substring("/calls".length()) : "";
            String method = exchange.getRequestMethod();
            if (rest.isEmpty() || rest.equals("/")) {
                if (method.equals("GET")) {
                    send(exchange, 200, pbx.calls().stream().map(SimCall::transcript).toList());
                } else if (method.equals("POST")) {
                    place(exchange);
                } else {
                    send(exchange, 405, Map.of("error", "use GET or POST"));
                }
                return;
            }
            if (!rest.startsWith("/")) {
                send(exchange, 404, Map.of("error", "no such resource " + path));
                return;
            }
            if (!method.equals("GET")) {
                send(exchange, 405, Map.of("error", "use GET"));
                return;
            }
            String id = rest.substring(1);
            pbx.calls().stream().filter(c -> c.id().equals(id)).findFirst().ifPresentOrElse(
                    c -> sendQuietly(exchange, 200, c.transcript()),
                    () -> sendQuietly(exchange, 404, Map.of("error", "no call " + id)));
        }
    }

    private void place(HttpExchange exchange) throws IOException {
        byte[] body = boundedBody(exchange);
        if (body == null) {
            return;
        }
        CallerScript script;
        try {
            JsonNode node = Json.JSON.readTree(body);
            script = Scenario.caller(node);
        } catch (IOException | IllegalArgumentException e) {
            send(exchange, 400, Map.of("error", "bad caller: " + e.getMessage()));
            return;
        }
        SimCall call = pbx.call(script);
        exchange.getResponseHeaders().add("Location", "/calls/" + call.id());
        send(exchange, 201, Map.of("id", call.id()));
    }

    /** {@code PUT /callees/{number}}: how that number behaves from its next call on (a sequence starts over). */
    private void callees(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String number = path.length() > "/callees/".length() ? path.substring("/callees/".length()).trim() : "";
            if (number.isEmpty() || number.contains("/")) {
                send(exchange, 404, Map.of("error", "use PUT /callees/{number}"));
                return;
            }
            if (!exchange.getRequestMethod().equals("PUT")) {
                send(exchange, 405, Map.of("error", "use PUT"));
                return;
            }
            byte[] body = boundedBody(exchange);
            if (body == null) {
                return;
            }
            CalleeBehavior behavior;
            try {
                JsonNode node = Json.JSON.readTree(body);
                if (node != null && node.hasNonNull("number") && !number.equals(node.get("number").asText())) {
                    throw new IllegalArgumentException("number " + node.get("number").asText() + " is not " + number);
                }
                behavior = Scenario.callee(node);
            } catch (IOException | IllegalArgumentException e) {
                send(exchange, 400, Map.of("error", "bad callee: " + e.getMessage()));
                return;
            }
            pbx.callee(number, behavior);
            send(exchange, 200, Map.of("number", number, "behavior", behavior.toString()));
        }
    }

    private void channels(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                send(exchange, 405, Map.of("error", "use GET"));
                return;
            }
            send(exchange, 200, pbx.liveChannels().stream().map(c -> Map.of("channel", c.name, "uniqueId", c.uniqueId,
                    "state", c.state.description, "application", c.application)).toList());
        }
    }

    /** The request body, or null once a 413 has been sent for one over {@link #MAX_BODY}. */
    private static byte[] boundedBody(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            send(exchange, 413, Map.of("error", "body too large"));
            return null;
        }
        return body;
    }

    private static void sendQuietly(HttpExchange exchange, int status, Object body) {
        try {
            send(exchange, status, body);
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
