package io.callstream.ivr.service;

import io.callstream.contracts.Topics;
import io.callstream.ivr.domain.Flow;
import io.callstream.servicekit.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.LockModeType;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Every flow is announced as {@code FlowChanged} each time the service starts, so a service whose view
 * of flows is new, or older than {@code callstream.ivr.events} keeps, learns every flow; changes in
 * between go out as they happen ({@link FlowService}). A deleted flow has no row left, so nothing to
 * announce. A failure here is logged, not fatal: the service is still of use without it.
 */
@ApplicationScoped
public class FlowAnnouncements {
    private static final Logger LOG = Logger.getLogger(FlowAnnouncements.class);
    private static final int PAGE = 100;
    private static final UUID FIRST = new UUID(0, 0); // PostgreSQL orders uuids as unsigned bytes

    private final Outbox outbox;

    FlowAnnouncements(Outbox outbox) {
        this.outbox = outbox;
    }

    void start(@Observes StartupEvent ignored) {
        try {
            int n = announceAll();
            LOG.infof("announced %d flow(s) on %s", n, Topics.IVR_EVENTS);
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not announce the flows on %s; each is announced again when it changes and at the next start",
                    Topics.IVR_EVENTS);
        }
    }

    /** Publishes a {@code FlowChanged} for every flow, a page per transaction; returns how many. */
    public int announceAll() {
        int announced = 0;
        UUID after = FIRST;
        while (true) {
            UUID from = after;
            List<Flow> page = QuarkusTransaction.requiringNew().call(() -> announcePage(from));
            announced += page.size();
            if (page.size() < PAGE) {
                return announced;
            }
            after = page.get(page.size() - 1).id;
        }
    }

    /** Shared locks: a publish, rollback or delete under way commits (and sends) before or after, not across. */
    private List<Flow> announcePage(UUID after) {
        List<Flow> page = Flow.<Flow>find("id > ?1", Sort.by("id"), after)
                .withLock(LockModeType.PESSIMISTIC_READ).page(0, PAGE).list();
        Instant now = Instant.now();
        for (Flow flow : page) {
            outbox.publish(flow.id.toString(), FlowService.flowChanged(flow, false, now));
        }
        return page;
    }
}
