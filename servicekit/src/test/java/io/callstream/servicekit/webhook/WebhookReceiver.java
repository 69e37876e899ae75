package io.callstream.servicekit.webhook;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A real HTTP server on 127.0.0.1 standing in for a subscriber: records every request with its arrival
 * time and answers from a script (then with a default answer).
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    record Received(String method, String path, Headers headers, byte[] body, long arrivedNanos) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** How the receiver answers one request. */
    @FunctionalInterface
    interface Answer {
        void reply(HttpExchange exchange, WebhookReceiver receiver) throws IOException;
    }

    static Answer status(int code) {
        return (exchange, receiver) -> {
            exchange.sendResponseHeaders(code, -1);
            exchange.close();
        };
    }

    static Answer redirectTo(String path) {
        return (exchange, receiver) -> {
            exchange.getResponseHeaders().add("Location", receiver.url(path));
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        };
    }

    /** Never answers (until the receiver closes): the sender's timeout must end the try. */
    static Answer hang() {
        return (exchange, receiver) -> {
            try {
                receiver.closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        };
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Answer otherwise = status(200);

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(threads); // a hanging answer must not block the others
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                Headers headers = new Headers();
                headers.putAll(exchange.getRequestHeaders());
                received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                        in.readAllBytes(), System.nanoTime()));
            }
            Answer next = script.poll();
            (next != null ? next : otherwise).reply(exchange, this);
        });
        server.start();
    }

    /** Answers the next requests with these, in order. */
    WebhookReceiver thenAnswer(Answer... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    /** Answers with this once the script is used up (200 unless set). */
    WebhookReceiver otherwise(Answer answer) {
        otherwise = answer;
        return this;
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    List<Received> awaitRequests(int count) {
        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= count);
        return received();
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
