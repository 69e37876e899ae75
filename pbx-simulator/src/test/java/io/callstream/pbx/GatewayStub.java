package io.callstream.pbx;

import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.AgiScript;
import org.asteriskjava.fastagi.DefaultAgiServer;
import org.asteriskjava.fastagi.SimpleMappingStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * asterisk-java's own DefaultAgiServer on a free port, mapping the {@code callstream} script to a
 * router that picks a test script by the call's extension (inbound) or context (originated).
 */
final class GatewayStub implements AutoCloseable {
    private final DefaultAgiServer server;
    private final Thread thread;
    private final int port;
    private final Map<String, AgiScript> routes = new ConcurrentHashMap<>();

    GatewayStub() {
        port = freePort();
        server = new DefaultAgiServer();
        server.setPort(port);
        server.setPoolSize(4);
        server.setMaximumPoolSize(200);
        SimpleMappingStrategy mapping = new SimpleMappingStrategy();
        mapping.setMappings(Map.of("callstream", (AgiScript) this::route));
        server.setMappingStrategy(mapping);
        thread = new Thread(() -> {
            try {
                server.startup();
            } catch (IOException | IllegalStateException e) {
                // shut down
            }
        }, "test-agi-server");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return port;
    }

    /** Calls to this extension (inbound) or in this context (originated) run {@code script}. */
    GatewayStub on(String extensionOrContext, AgiScript script) {
        routes.put(extensionOrContext, script);
        return this;
    }

    private void route(AgiRequest request, AgiChannel channel) throws org.asteriskjava.fastagi.AgiException {
        AgiScript script = routes.get(request.getExtension());
        if (script == null) {
            script = routes.get(request.getContext());
        }
        if (script == null) {
            channel.hangup();
            return;
        }
        script.service(request, channel);
    }

    /** Waits until the server accepts connections. */
    void awaitListening() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            try (java.net.Socket s = new java.net.Socket("localhost", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @Override
    public void close() {
        try {
            server.shutdown();
        } catch (IllegalStateException e) {
            // never started
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
