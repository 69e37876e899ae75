package io.callstream.ivr.engine;

import io.callstream.ivr.domain.IvrSession;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays the queue announcements that are due: once per tick it takes the waiting sessions whose
 * {@code announce_at} has passed (locked, skipping rows another replica or an event holds) and has the
 * engine announce, each in the same transaction as the session's new {@code announce_at} and the
 * commands — so an announcement is neither lost nor repeated by a restart.
 */
@ApplicationScoped
public class QueueAnnouncer {
    private static final Logger LOG = Logger.getLogger(QueueAnnouncer.class);
    private static final int BATCH = 200;

    private final IvrEngine engine;
    private final SessionStore sessions;
    private final Duration tick;
    private ScheduledExecutorService thread;

    QueueAnnouncer(IvrEngine engine, SessionStore sessions,
                   @ConfigProperty(name = "callstream.ivr.announce-tick", defaultValue = "1s") Duration tick) {
        this.engine = engine;
        this.sessions = sessions;
        this.tick = tick;
    }

    void start(@Observes StartupEvent ignored) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "ivr-queue-announcer"));
        thread.scheduleWithFixedDelay(this::tickQuietly, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    private void tickQuietly() {
        try {
            int n;
            do {
                n = QuarkusTransaction.requiringNew().call(this::announceDue);
            } while (n == BATCH);
        } catch (Exception e) {
            // an event changed one of the sessions meanwhile (optimistic lock): the next tick tries again
            LOG.debugf("queue announcements: %s; retrying next tick", e.toString());
        }
    }

    private int announceDue() {
        List<IvrSession> due = sessions.dueAnnouncements(Instant.now(), BATCH);
        for (IvrSession s : due) {
            engine.announce(s);
        }
        return due.size();
    }
}
