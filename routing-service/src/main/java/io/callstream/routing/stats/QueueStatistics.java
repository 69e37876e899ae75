package io.callstream.routing.stats;

import io.callstream.routing.queue.Queues;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The statistics per skill group, from the database every replica shares: the same answer on any of
 * them. Three grouped queries whatever the number of groups (waiting calls, agents by state, calls
 * since a time), so all groups at once cost about what one does.
 */
@ApplicationScoped
@Transactional
public class QueueStatistics {
    /** Every agent state, reported even at 0. */
    public static final List<String> AGENT_STATES = List.of("READY", "RINGING", "BUSY", "AFTER_CALL_WORK", "NOT_READY", "OFFLINE");

    private final EntityManager em;

    QueueStatistics(EntityManager em) {
        this.em = em;
    }

    /** One group (zeros when routing knows nothing of it). */
    public GroupStats of(String group, Instant since, int serviceLevelSeconds) {
        List<GroupStats> found = collect(group, since, serviceLevelSeconds);
        return found.isEmpty() ? empty(group, since, serviceLevelSeconds) : found.get(0);
    }

    /** Every group with agents, waiting calls or calls since {@code since}, by name. */
    public List<GroupStats> all(Instant since, int serviceLevelSeconds) {
        return collect(null, since, serviceLevelSeconds);
    }

    private List<GroupStats> collect(String only, Instant since, int level) {
        Instant now = Instant.now();
        String andGroup = only == null ? "" : " AND skill_group = :group";
        Map<String, Object[]> waiting = byGroup(em.createNativeQuery("SELECT skill_group, count(*), min(enqueued_at)"
                + " FROM queue_entry WHERE state = 'WAITING'" + andGroup + " GROUP BY skill_group"), only);
        Map<String, Map<String, Long>> agents = new HashMap<>();
        for (Object[] r : rows(em.createNativeQuery("SELECT s.skill_group_id, a.state, count(*) FROM agent_view a"
                + " JOIN agent_skill_view s ON s.agent_id = a.agent_id WHERE true"
                + (only == null ? "" : " AND s.skill_group_id = :group") + " GROUP BY 1, 2"), only)) {
            agents.computeIfAbsent((String) r[0], g -> zeroStates()).put((String) r[1], n(r[2]));
        }
        Query calls = em.createNativeQuery("SELECT skill_group, count(*),"
                + " count(*) FILTER (WHERE connected_at IS NOT NULL),"
                + " count(*) FILTER (WHERE exit_reason = 'ABANDONED'),"
                + " count(*) FILTER (WHERE exit_reason = 'TIMEOUT'),"
                + " count(*) FILTER (WHERE exit_reason IN ('QUEUE_FULL', 'NO_AGENT')),"
                + " avg(extract(epoch FROM connected_at - enqueued_at)) FILTER (WHERE connected_at IS NOT NULL),"
                + " count(*) FILTER (WHERE connected_at - enqueued_at <= make_interval(secs => :level))"
                + " FROM queue_entry WHERE enqueued_at >= :since" + andGroup + " GROUP BY skill_group")
                .setParameter("since", Timestamp.from(since)).setParameter("level", level);
        Map<String, Object[]> counts = byGroup(calls, only);

        TreeSet<String> groups = new TreeSet<>(waiting.keySet());
        groups.addAll(agents.keySet());
        groups.addAll(counts.keySet());
        List<GroupStats> result = new ArrayList<>(groups.size());
        for (String g : groups) {
            Object[] w = waiting.get(g);
            Object[] t = counts.get(g);
            Instant oldest = w == null ? null : io.callstream.servicekit.tx.Columns.instant(w[2]);
            long answered = t == null ? 0 : n(t[2]), abandoned = t == null ? 0 : n(t[3]), timedOut = t == null ? 0 : n(t[4]);
            long handled = answered + abandoned + timedOut;
            Double average = t == null || t[6] == null ? null : Math.round(((Number) t[6]).doubleValue() * 10) / 10.0;
            Double serviceLevel = handled == 0 ? null : Math.round(1000.0 * n(t[7]) / handled) / 10.0;
            result.add(new GroupStats(g, w == null ? 0 : n(w[1]),
                    oldest == null ? 0 : Math.max(0, ChronoUnit.SECONDS.between(oldest, now)),
                    agents.getOrDefault(g, zeroStates()), since, t == null ? 0 : n(t[1]), answered, abandoned, timedOut,
                    t == null ? 0 : n(t[5]), average, level, serviceLevel));
        }
        return result;
    }

    private static GroupStats empty(String group, Instant since, int level) {
        return new GroupStats(group, 0, 0, zeroStates(), since, 0, 0, 0, 0, 0, null, level, null);
    }

    private static Map<String, Long> zeroStates() {
        Map<String, Long> byState = new LinkedHashMap<>();
        AGENT_STATES.forEach(s -> byState.put(s, 0L));
        return byState;
    }

    private static Map<String, Object[]> byGroup(Query query, String only) {
        Map<String, Object[]> map = new HashMap<>();
        rows(query, only).forEach(r -> map.put((String) r[0], r));
        return map;
    }

    @SuppressWarnings("unchecked")
    private static List<Object[]> rows(Query query, String only) {
        if (only != null) {
            query.setParameter("group", only);
        }
        return query.getResultList();
    }

    private static long n(Object o) {
        return ((Number) o).longValue();
    }
}
