package io.callstream.gateway.agi;

import io.callstream.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.asteriskjava.fastagi.DefaultAgiServer;
import org.asteriskjava.fastagi.StaticMappingStrategy;
import org.jboss.logging.Logger;

/**
 * The FastAGI server (asterisk-java): Asterisk connects here for every call it hands over, and the
 * connection is served by {@link CallSession} on a thread of its own until the call ends.
 */
@ApplicationScoped
public class AgiListener {
    private static final Logger LOG = Logger.getLogger(AgiListener.class);

    private final GatewayConfig config;
    private final CallSession session;
    private DefaultAgiServer server;
    private Thread acceptor;

    AgiListener(GatewayConfig config, CallSession session) {
        this.config = config;
        this.session = session;
    }

    void start(@Observes StartupEvent ignored) {
        server = new DefaultAgiServer(new StaticMappingStrategy(session));
        server.setPort(config.agi().port());
        server.setPoolSize(16);
        server.setMaximumPoolSize(config.agi().maxCalls());
        acceptor = new Thread(() -> {
            try {
                server.startup(); // blocks, accepting connections, until shutdown()
            } catch (Exception e) {
                LOG.errorf("FastAGI server on port %d stopped: %s", config.agi().port(), e.toString());
            }
        }, "fastagi-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.infof("FastAGI listening on port %d", config.agi().port());
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (server != null) {
            try {
                server.shutdown();
            } catch (IllegalStateException notRunning) {
                // never started
            }
        }
    }

    public int activeCalls() {
        return server == null ? 0 : server.getPoolActiveTaskCount();
    }
}
