package io.callstream.gateway.agi;

import io.callstream.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The FastAGI server: Asterisk connects here for every call it hands over. Connections are served by
 * a few selector threads ({@code callstream.gateway.agi.io-threads}), not a thread per call, so
 * thousands of held calls cost a few kilobytes each (see docs/architecture.md for why this is not
 * asterisk-java's thread-per-connection DefaultAgiServer; asterisk-java still builds every AGI line).
 */
@ApplicationScoped
public class AgiListener {
    private static final Logger LOG = Logger.getLogger(AgiListener.class);

    private final GatewayConfig config;
    private final CallSessions sessions;
    private final AtomicInteger open = new AtomicInteger();
    private AgiLoop[] loops;
    private ServerSocketChannel server;
    private int next;

    AgiListener(GatewayConfig config, CallSessions sessions) {
        this.config = config;
        this.sessions = sessions;
    }

    /** Accepts connections on the first loop and hands each to a loop in turn. */
    final class Acceptor {
        void accept() {
            SocketChannel socket;
            try {
                while ((socket = server.accept()) != null) {
                    hand(socket);
                }
            } catch (IOException e) {
                LOG.warnf("FastAGI accept failed: %s", e.toString());
            }
        }
    }

    void start(@Observes StartupEvent ignored) {
        try {
            int threads = Math.max(1, config.agi().ioThreads());
            loops = new AgiLoop[threads];
            for (int i = 0; i < threads; i++) {
                loops[i] = new AgiLoop("fastagi-" + i);
            }
            server = ServerSocketChannel.open();
            server.bind(new InetSocketAddress(config.agi().port()), 1024);
            server.configureBlocking(false);
            server.register(loops[0].selector, SelectionKey.OP_ACCEPT, new Acceptor());
            for (AgiLoop loop : loops) {
                loop.start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for FastAGI on port " + config.agi().port(), e);
        }
        LOG.infof("FastAGI listening on port %d (%d I/O thread(s), at most %d calls)", config.agi().port(),
                loops.length, config.agi().maxCalls());
    }

    void stop(@Observes ShutdownEvent ignored) {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignoredClose) {
            // stopping anyway
        }
        if (loops != null) {
            for (AgiLoop loop : loops) {
                loop.close();
            }
        }
    }

    private void hand(SocketChannel socket) {
        if (open.get() >= config.agi().maxCalls()) {
            LOG.warnf("refusing a FastAGI connection: %d calls held, the limit (callstream.gateway.agi.max-calls)",
                    open.get());
            closeQuietly(socket);
            return;
        }
        open.incrementAndGet();
        AgiLoop loop = loops[next++ % loops.length];
        Runnable register = () -> {
            AgiConnection connection = new AgiConnection(loop, socket, sessions.newSession(), open::decrementAndGet,
                    config.agi().handshakeTimeout());
            synchronized (connection) {
                try {
                    connection.register();
                } catch (IOException e) {
                    LOG.debugf("FastAGI connection lost before it was served: %s", e.toString());
                    connection.close("register failed");
                }
            }
        };
        if (loop.inLoop()) {
            register.run();
        } else {
            loop.execute(register);
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // refused anyway
        }
    }

    /** FastAGI connections open now (calls held, and handshakes in progress). */
    public int activeCalls() {
        return open.get();
    }
}
