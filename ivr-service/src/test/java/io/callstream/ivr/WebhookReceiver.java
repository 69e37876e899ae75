package io.callstream.ivr;

import com.sun.net.httpserver.HttpServer;
import io.callstream.contracts.Json;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real HTTP server on this machine standing in for a business system that subscribed to call
 * records: {@code POST /records} stores each delivery (headers and body) and answers 204;
 * {@code GET /received} lists what came, so tests (in another class loader) can read it over HTTP.
 */
public class WebhookReceiver implements QuarkusTestResourceLifecycleManager {
    public static final String SECRET = "test-secret-for-call-records";
    private HttpServer server;
    private final List<Map<String, Object>> received = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/records", exchange -> {
            Map<String, Object> delivery = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> delivery.put(name.toLowerCase(java.util.Locale.ROOT), values.get(0)));
            delivery.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            synchronized (received) {
                received.add(delivery);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/received", exchange -> {
            byte[] body;
            synchronized (received) {
                body = Json.write(received);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("callstream.ivr.records.webhooks.crm.url", base + "/records",
                "callstream.ivr.records.webhooks.crm.secret", SECRET,
                "test.webhook-receiver", base);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
