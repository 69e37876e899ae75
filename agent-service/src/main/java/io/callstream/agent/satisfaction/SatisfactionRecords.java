package io.callstream.agent.satisfaction;

import io.callstream.contracts.ivr.SatisfactionCollected;
import io.callstream.servicekit.tx.Columns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.query.NativeQuery;
import org.jboss.logging.Logger;

import io.callstream.agent.config.AgentConfig;
import io.callstream.servicekit.rest.Page;
import jakarta.persistence.Query;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Satisfaction records: one per call, written from the IVR's survey results; read one by one, searched,
 * and summed per agent or skill group in SQL.
 */
@ApplicationScoped
@Transactional
public class SatisfactionRecords {
    private static final Logger LOG = Logger.getLogger(SatisfactionRecords.class);

    /** How a summary groups the records. */
    public enum Grouping {
        AGENT("s.agent_id"), SKILL_GROUP("s.skill_group_id");

        final String column;

        Grouping(String column) {
            this.column = column;
        }
    }

    /** Record columns in view order, for a row source {@code r} joined with {@code agent a}. */
    private static final String VIEW_COLUMNS = "r.call_id, r.session_id, r.agent_id, a.staff_number, a.name,"
            + " r.skill_group_id, r.key, r.label, r.no_input, r.collected_at";
    /** An agent id that is a UUID, the only kind that can name a row of {@code agent}. */
    private static final String UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    private final EntityManager em;
    private final List<String> satisfiedLabels;

    SatisfactionRecords(EntityManager em, AgentConfig config) {
        this.em = em;
        this.satisfiedLabels = config.satisfiedLabels().stream().map(l -> l.trim().toLowerCase(Locale.ROOT))
                .filter(l -> !l.isEmpty()).distinct().toList();
    }

    /**
     * Stores the call's record unless the call has one: a second survey result for a call (a flow that
     * asks twice, a replayed session) keeps the first. True when stored.
     */
    public boolean collected(String callId, SatisfactionCollected survey, Instant at) {
        int stored = em.createNativeQuery("INSERT INTO satisfaction_record"
                        + " (call_id, session_id, agent_id, skill_group_id, key, label, no_input, collected_at)"
                        + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (call_id) DO NOTHING")
                .unwrap(NativeQuery.class)
                .setParameter(1, callId, String.class)
                .setParameter(2, survey.sessionId(), String.class) // typed: absent values bind as text nulls
                .setParameter(3, survey.agentId(), String.class)
                .setParameter(4, survey.skillGroup(), String.class)
                .setParameter(5, survey.key(), String.class)
                .setParameter(6, survey.label(), String.class)
                .setParameter(7, survey.noInput(), Boolean.class)
                .setParameter(8, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), OffsetDateTime.class)
                .executeUpdate();
        if (stored == 0) {
            LOG.infof("call %s already has a satisfaction record; the later result (session %s, key %s) is not kept",
                    callId, survey.sessionId(), survey.key());
        }
        return stored == 1;
    }

    /** The call's record, joined with its agent. */
    public Optional<SatisfactionRecordView> find(String callId) {
        Query q = em.createNativeQuery("SELECT " + VIEW_COLUMNS + " FROM satisfaction_record r" + agentJoin("r.agent_id")
                + " WHERE r.call_id = :callId");
        q.setParameter("callId", callId).setParameter("uuid", UUID_PATTERN);
        List<?> rows = q.getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(view((Object[]) rows.get(0)));
    }

    /** The records the filter covers, newest first: one page, joined with their agents, and how many there are. */
    public Page<SatisfactionRecordView> search(SatisfactionFilter filter, int page, int size) {
        Map<String, Object> params = new HashMap<>();
        String where = filter.where(params);
        Query count = em.createNativeQuery("SELECT count(*) FROM satisfaction_record s" + where);
        params.forEach(count::setParameter);
        long total = ((Number) count.getSingleResult()).longValue();

        // the page first (index order on collected_at), then the join for its rows only
        Query q = em.createNativeQuery("SELECT " + VIEW_COLUMNS + " FROM (SELECT s.* FROM satisfaction_record s" + where
                + " ORDER BY s.collected_at DESC, s.call_id DESC LIMIT :limit OFFSET :offset) r" + agentJoin("r.agent_id")
                + " ORDER BY r.collected_at DESC, r.call_id DESC");
        params.forEach(q::setParameter);
        q.setParameter("limit", size).setParameter("offset", (long) page * size).setParameter("uuid", UUID_PATTERN);
        List<SatisfactionRecordView> items = new ArrayList<>();
        for (Object row : q.getResultList()) {
            items.add(view((Object[]) row));
        }
        return new Page<>(items, page, size, total);
    }

    /**
     * Per agent or skill group over the records the filter covers: counts, answered, no input, satisfied
     * (answered with a label in {@code callstream.agent.satisfied-labels}, case ignored) and per label.
     * One statement (GROUPING SETS: a total row per group and a row per group and label), so the totals
     * and the per-label counts come from the same snapshot. Ordered by staff number (agents) or skill
     * group id; records without an agent or group make a last line with both null.
     */
    public List<SatisfactionSummary> summarize(Grouping by, SatisfactionFilter filter) {
        Map<String, Object> params = new HashMap<>();
        String where = filter.where(params);
        String satisfied = satisfiedLabels.isEmpty() ? "false" : "s.key IS NOT NULL AND lower(s.label) IN (:satisfied)";
        String grouped = "SELECT " + by.column + " AS grp, s.label AS label, GROUPING(s.label) = 0 AS per_label,"
                + " count(*) AS records, count(s.key) AS answered, count(*) FILTER (WHERE s.no_input) AS no_input,"
                + " count(*) FILTER (WHERE " + satisfied + ") AS satisfied"
                + " FROM satisfaction_record s" + where
                + " GROUP BY GROUPING SETS ((" + by.column + "), (" + by.column + ", s.label))";
        String sql = by == Grouping.AGENT
                ? "SELECT g.*, a.staff_number, a.name FROM (" + grouped + ") g" + agentJoin("g.grp")
                + " ORDER BY a.staff_number NULLS LAST, g.grp NULLS LAST, g.per_label, g.label"
                : "SELECT g.*, NULL AS staff_number, NULL AS name FROM (" + grouped + ") g"
                + " ORDER BY g.grp NULLS LAST, g.per_label, g.label";
        Query q = em.createNativeQuery(sql);
        params.forEach(q::setParameter);
        if (!satisfiedLabels.isEmpty()) {
            q.setParameter("satisfied", satisfiedLabels);
        }
        if (by == Grouping.AGENT) {
            q.setParameter("uuid", UUID_PATTERN);
        }
        List<SatisfactionSummary> lines = new ArrayList<>();
        for (Object o : q.getResultList()) {
            Object[] row = (Object[]) o;
            String group = (String) row[0];
            if (!(Boolean) row[2]) { // the group's total comes before its labels
                long answered = count(row[4]);
                long satisfiedCount = count(row[6]);
                lines.add(new SatisfactionSummary(by == Grouping.AGENT ? group : null, (String) row[7], (String) row[8],
                        by == Grouping.SKILL_GROUP ? group : null, count(row[3]), answered, count(row[5]),
                        satisfiedCount, percent(satisfiedCount, answered), new LinkedHashMap<>()));
            } else if (row[1] != null) {
                lines.get(lines.size() - 1).byLabel().put((String) row[1], count(row[3]));
            }
        }
        return lines;
    }

    /** satisfied / answered × 100, one decimal (half up); null when nothing was answered. */
    static Double percent(long satisfied, long answered) {
        if (answered == 0) {
            return null;
        }
        return BigDecimal.valueOf(satisfied * 100).divide(BigDecimal.valueOf(answered), 1, RoundingMode.HALF_UP)
                .doubleValue();
    }

    /**
     * The agent row named by {@code column}, if any. The cast is guarded (CASE is evaluated in order),
     * so an agent id that is not a UUID joins nothing instead of failing, and a UUID uses the key index.
     */
    private static String agentJoin(String column) {
        return " LEFT JOIN agent a ON a.id = CASE WHEN " + column + " ~ :uuid THEN CAST(" + column + " AS uuid) END";
    }

    private static SatisfactionRecordView view(Object[] r) {
        return new SatisfactionRecordView((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                (String) r[5], (String) r[6], (String) r[7], (Boolean) r[8], Columns.instant(r[9]));
    }

    private static long count(Object value) {
        return ((Number) value).longValue();
    }
}
