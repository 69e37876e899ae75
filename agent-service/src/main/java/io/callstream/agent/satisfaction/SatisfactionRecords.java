package io.callstream.agent.satisfaction;

import io.callstream.contracts.ivr.SatisfactionCollected;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.hibernate.query.NativeQuery;
import org.jboss.logging.Logger;

import io.callstream.servicekit.rest.Page;
import jakarta.persistence.Query;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Satisfaction records: one per call, written from the IVR's survey results; read one by one and searched.
 */
@ApplicationScoped
@Transactional
public class SatisfactionRecords {
    private static final Logger LOG = Logger.getLogger(SatisfactionRecords.class);

    /** Record columns in view order, for a row source {@code r} joined with {@code agent a}. */
    private static final String VIEW_COLUMNS = "r.call_id, r.session_id, r.agent_id, a.staff_number, a.name,"
            + " r.skill_group_id, r.key, r.label, r.no_input, r.collected_at";
    /** An agent id that is a UUID, the only kind that can name a row of {@code agent}. */
    private static final String UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    private final EntityManager em;

    SatisfactionRecords(EntityManager em) {
        this.em = em;
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
     * The agent row named by {@code column}, if any. The cast is guarded (CASE is evaluated in order),
     * so an agent id that is not a UUID joins nothing instead of failing, and a UUID uses the key index.
     */
    private static String agentJoin(String column) {
        return " LEFT JOIN agent a ON a.id = CASE WHEN " + column + " ~ :uuid THEN CAST(" + column + " AS uuid) END";
    }

    private static SatisfactionRecordView view(Object[] r) {
        return new SatisfactionRecordView((String) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                (String) r[5], (String) r[6], (String) r[7], (Boolean) r[8], instant(r[9]));
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("not a timestamp: " + value);
    }
}
