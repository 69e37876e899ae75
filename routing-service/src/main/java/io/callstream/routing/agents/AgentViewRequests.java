package io.callstream.routing.agents;

import io.callstream.contracts.Topics;
import io.callstream.contracts.routing.AgentViewRequested;
import io.callstream.servicekit.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * routing-service's view of agents comes from {@code callstream.agent.events}, which keeps days of
 * events, not every agent's: on a new database (the first replica to start) and when an admin asks,
 * routing publishes {@code agent-view-requested}, and agent-service answers with every group, profile
 * and state ({@code SNAPSHOT}).
 */
@ApplicationScoped
public class AgentViewRequests {
    private static final Logger LOG = Logger.getLogger(AgentViewRequests.class);
    static final String NEW_DATABASE = "new-database";

    private final EntityManager em;
    private final Outbox outbox;

    AgentViewRequests(EntityManager em, Outbox outbox) {
        this.em = em;
        this.outbox = outbox;
    }

    void start(@Observes StartupEvent ignored) {
        QuarkusTransaction.requiringNew().run(() -> {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            int first = em.createNativeQuery("INSERT INTO agent_view_request (id, requested_by, requested_at)"
                            + " VALUES (1, ?1, ?2) ON CONFLICT (id) DO NOTHING")
                    .setParameter(1, NEW_DATABASE).setParameter(2, Timestamp.from(now)).executeUpdate();
            if (first == 1) {
                outbox.publish(AgentViewRequested.KEY, new AgentViewRequested(NEW_DATABASE, now));
                LOG.infof("new database: asked agent-service for every agent and group on %s", Topics.ROUTING_EVENTS);
            }
        });
    }

    /** Asks again (an admin's resync); returns when. */
    @Transactional
    public Instant request(String by) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        em.createNativeQuery("INSERT INTO agent_view_request (id, requested_by, requested_at) VALUES (1, ?1, ?2)"
                        + " ON CONFLICT (id) DO UPDATE SET requested_by = excluded.requested_by, requested_at = excluded.requested_at")
                .setParameter(1, by).setParameter(2, Timestamp.from(now)).executeUpdate();
        outbox.publish(AgentViewRequested.KEY, new AgentViewRequested(by, now));
        return now;
    }
}
