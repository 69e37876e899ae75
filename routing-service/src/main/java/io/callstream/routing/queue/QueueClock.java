package io.callstream.routing.queue;

import io.callstream.routing.config.RoutingConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Ends queue waits that ran out. The deadline is in each row, so a restart or another replica ends them too. */
@ApplicationScoped
public class QueueClock {
    private static final Logger LOG = Logger.getLogger(QueueClock.class);
    private static final int PER_ROUND = 200;

    private final Queues queues;
    private final RoutingConfig config;
    private ScheduledExecutorService thread;

    QueueClock(Queues queues, RoutingConfig config) {
        this.queues = queues;
        this.config = config;
    }

    void start(@Observes StartupEvent ignored) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "queue-timeouts");
            t.setDaemon(true);
            return t;
        });
        long every = config.queueTick().toMillis();
        thread.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    private void tick() {
        try {
            while (queues.timeOut(PER_ROUND) == PER_ROUND) {
                // more are due
            }
        } catch (RuntimeException e) {
            LOG.warnf("queue timeouts failed, retrying next tick: %s", e.toString());
        }
    }
}
