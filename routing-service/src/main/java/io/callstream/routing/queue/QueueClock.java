package io.callstream.routing.queue;

import io.callstream.routing.config.RoutingConfig;
import io.callstream.servicekit.tx.Sweeper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Ends queue waits that ran out, and gives up offers the gateway never answered (the deadlines are in
 * the rows: a restart or another replica ends them too).
 */
@ApplicationScoped
public class QueueClock {
    private final Queues queues;
    private final RoutingConfig config;
    private Sweeper sweeper;
    private Sweeper offers;
    private Sweeper endedCalls;
    private Sweeper oldEntries;
    private Sweeper positions;

    QueueClock(Queues queues, RoutingConfig config) {
        this.queues = queues;
        this.config = config;
    }

    void start(@Observes StartupEvent ignored) {
        sweeper = Sweeper.start("queue-timeouts", config.queueTick(), 200, queues::timeOut);
        offers = Sweeper.start("offer-expiry", config.queueTick(), 50, queues::giveUpOffers);
        queues.markGroupsWithCallers();
        positions = Sweeper.start("queue-positions", config.positionTick(), 100, queues::republishMovedPositions);
        endedCalls = Sweeper.start("ended-calls", java.time.Duration.ofMinutes(1), 1000, queues::forgetEndedCalls);
        oldEntries = Sweeper.start("old-queue-entries", java.time.Duration.ofMinutes(1), 1000, queues::forgetOldEntries);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (sweeper != null) {
            sweeper.close();
        }
        if (offers != null) {
            offers.close();
        }
        if (endedCalls != null) {
            endedCalls.close();
        }
        if (oldEntries != null) {
            oldEntries.close();
        }
        if (positions != null) {
            positions.close();
        }
    }
}
