package io.callstream.routing.stats;

import io.callstream.servicekit.problem.ProblemException;
import io.callstream.servicekit.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Real-time statistics per skill group: what a supervisor's wallboard shows. */
@Path("/api/v1/queue-stats")
@Tag(name = "Queue statistics")
@Produces(MediaType.APPLICATION_JSON)
@Transactional(Transactional.TxType.SUPPORTS)
public class QueueStats {

    /**
     * One skill group now, and over the calls that entered its queue since {@code since}: waiting calls
     * and the longest wait; agents by state (routing's view); calls offered to the queue, answered,
     * abandoned, timed out, refused; the average wait of answered calls; the service level — answered
     * within {@code serviceLevelSeconds} out of those answered or gone from the queue (refusals not counted).
     */
    public record GroupStats(String skillGroup, long waiting, long longestWaitSeconds, Map<String, Long> agentsByState,
                             Instant since, long offered, long answered, long abandoned, long timedOut, long refused,
                             Double averageWaitSeconds, int serviceLevelSeconds, Double serviceLevelPercent) {
    }

    private final EntityManager em;

    QueueStats(EntityManager em) {
        this.em = em;
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "Every skill group's statistics (groups with agents or calls)")
    public List<GroupStats> all(@QueryParam("since") String since,
                                @QueryParam("serviceLevelSeconds") @DefaultValue("20") int serviceLevelSeconds) {
        Instant from = since(since);
        check(serviceLevelSeconds);
        @SuppressWarnings("unchecked")
        List<String> groups = em.createNativeQuery("SELECT skill_group_id FROM agent_skill_view UNION"
                + " SELECT skill_group FROM queue_entry WHERE enqueued_at >= ?1 OR state = 'WAITING' ORDER BY 1")
                .setParameter(1, Timestamp.from(from)).getResultList();
        return groups.stream().map(g -> stats(g, from, serviceLevelSeconds)).toList();
    }

    @GET
    @Path("/{skillGroup}")
    @RolesAllowed({Roles.ADMIN, Roles.QA})
    @Operation(summary = "One skill group's statistics: since (ISO instant, default the start of today UTC), serviceLevelSeconds (default 20)")
    public GroupStats one(@PathParam("skillGroup") String group, @QueryParam("since") String since,
                          @QueryParam("serviceLevelSeconds") @DefaultValue("20") int serviceLevelSeconds) {
        check(serviceLevelSeconds);
        return stats(group, since(since), serviceLevelSeconds);
    }

    private GroupStats stats(String group, Instant from, int level) {
        Instant now = Instant.now();
        Object[] waiting = (Object[]) em.createNativeQuery("SELECT count(*), min(enqueued_at) FROM queue_entry"
                + " WHERE skill_group = ?1 AND state = 'WAITING'").setParameter(1, group).getSingleResult();
        Instant oldest = io.callstream.routing.queue.Queues.instant(waiting[1]);
        Map<String, Long> byState = new LinkedHashMap<>();
        for (String s : List.of("READY", "RINGING", "BUSY", "AFTER_CALL_WORK", "NOT_READY", "OFFLINE")) {
            byState.put(s, 0L);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> states = em.createNativeQuery("SELECT a.state, count(*) FROM agent_view a JOIN agent_skill_view s"
                + " ON s.agent_id = a.agent_id WHERE s.skill_group_id = ?1 GROUP BY a.state").setParameter(1, group).getResultList();
        states.forEach(r -> byState.put((String) r[0], ((Number) r[1]).longValue()));
        Object[] t = (Object[]) em.createNativeQuery("SELECT count(*),"
                        + " count(*) FILTER (WHERE connected_at IS NOT NULL),"
                        + " count(*) FILTER (WHERE exit_reason = 'ABANDONED'),"
                        + " count(*) FILTER (WHERE exit_reason = 'TIMEOUT'),"
                        + " count(*) FILTER (WHERE exit_reason IN ('QUEUE_FULL', 'NO_AGENT')),"
                        + " avg(extract(epoch FROM connected_at - enqueued_at)) FILTER (WHERE connected_at IS NOT NULL),"
                        + " count(*) FILTER (WHERE connected_at - enqueued_at <= make_interval(secs => ?3))"
                        + " FROM queue_entry WHERE skill_group = ?1 AND enqueued_at >= ?2")
                .setParameter(1, group).setParameter(2, Timestamp.from(from)).setParameter(3, level).getSingleResult();
        long offered = n(t[0]), answered = n(t[1]), abandoned = n(t[2]), timedOut = n(t[3]), refused = n(t[4]);
        long handled = answered + abandoned + timedOut;
        Double average = t[5] == null ? null : Math.round(((Number) t[5]).doubleValue() * 10) / 10.0;
        Double serviceLevel = handled == 0 ? null : Math.round(1000.0 * n(t[6]) / handled) / 10.0;
        return new GroupStats(group, n(waiting[0]), oldest == null ? 0 : ChronoUnit.SECONDS.between(oldest, now), byState,
                from, offered, answered, abandoned, timedOut, refused, average, level, serviceLevel);
    }

    private static long n(Object o) {
        return ((Number) o).longValue();
    }

    private static void check(int serviceLevelSeconds) {
        if (serviceLevelSeconds < 1 || serviceLevelSeconds > 3600) {
            throw ProblemException.invalid("serviceLevelSeconds", "must be 1 to 3600");
        }
    }

    private static Instant since(String value) {
        if (value == null || value.isBlank()) {
            return Instant.now().truncatedTo(ChronoUnit.DAYS);
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid("since", "'" + value + "' is not an ISO-8601 instant such as 2026-11-24T00:00:00Z");
        }
    }
}
