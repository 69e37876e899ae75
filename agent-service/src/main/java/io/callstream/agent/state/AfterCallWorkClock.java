package io.callstream.agent.state;

import io.callstream.agent.config.AgentConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Ends after-call work when it is due. The end time is in each agent's row, so a restarted service (or
 * another replica: rows are claimed with SKIP LOCKED) ends it too.
 */
@ApplicationScoped
public class AfterCallWorkClock {
    private static final Logger LOG = Logger.getLogger(AfterCallWorkClock.class);
    private static final int PER_ROUND = 200;

    private final AgentStates states;
    private final AgentConfig config;
    private ScheduledExecutorService thread;

    AfterCallWorkClock(AgentStates states, AgentConfig config) {
        this.states = states;
        this.config = config;
    }

    void start(@Observes StartupEvent ignored) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "after-call-work");
            t.setDaemon(true);
            return t;
        });
        long every = config.afterCallWorkTick().toMillis();
        thread.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    private void tick() {
        try {
            while (states.endDueAfterCallWork(PER_ROUND) == PER_ROUND) {
                // more are due: go on at once
            }
        } catch (RuntimeException e) {
            LOG.warnf("ending after-call work failed, retrying next tick: %s", e.toString());
        }
    }
}
