package io.callstream.routing.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import io.callstream.contracts.Json;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.ivr.KeyPress;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.routing.AgentMissed;
import io.callstream.contracts.routing.AgentOffered;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.MissReason;
import io.callstream.contracts.routing.QueueExitReason;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.contracts.routing.QueuePositionChanged;
import io.callstream.routing.config.RoutingConfig;
import io.callstream.servicekit.consumer.EventHandler;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.tx.AfterCommit;
import io.callstream.servicekit.tx.Columns;
import io.callstream.servicekit.tx.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The skill groups' queues. A transferred call is a durable row ({@code queue_entry}); assignment takes
 * the first waiting call it can serve (call priority, then arrival) and the best agent for it (highest
 * priority in the group, then longest idle) under both rows' locks, taken with {@code SKIP LOCKED}, and
 * reserves the agent — so one agent is never offered two calls, nor one call two agents, whichever
 * replica assigns. Every change and the commands and events it causes commit together.
 */
@ApplicationScoped
public class Queues {
    /** The talk time an estimate assumes before the group has answered calls to average. */
    private static final int DEFAULT_TALK_SECONDS = 60;

    private final Sql sql;
    private final Outbox outbox;
    private final RoutingConfig config;
    private final TransactionSynchronizationRegistry transactions;

    Queues(Sql sql, Outbox outbox, RoutingConfig config, TransactionSynchronizationRegistry transactions) {
        this.sql = sql;
        this.outbox = outbox;
        this.config = config;
        this.transactions = transactions;
    }

    /** An IVR flow hands a caller to a skill group: queued, or refused with the reason (no agent, queue full). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void transferRequested(TransferRequested t) {
        Decided decided = prefetchedTransfer(t.callId());
        if (decided == null) {
            Instant now = now();
            String commandId = UUID.randomUUID().toString();
            decided = new Decided(t.callId(), sql.single(TRANSFER, transferParameters(t, now, commandId)), now, commandId);
        }
        Object[] r = decided.row();
        Instant now = decided.now();
        String commandId = decided.commandId();
        if ((Boolean) r[0]) {
            return; // this call was queued once already (a flow cannot queue one call twice at once)
        }
        long loggedIn = ((Number) r[2]).longValue();
        QueueExitReason refused = null;
        if ((Boolean) r[1]) {
            refused = QueueExitReason.ABANDONED; // the caller hung up before this request was read
        } else if (loggedIn == 0) {
            refused = QueueExitReason.NO_AGENT;
        } else if (t.maxQueueLength() != null && ((Number) r[3]).longValue() >= t.maxQueueLength()) {
            refused = QueueExitReason.QUEUE_FULL;
        }
        if ((refused == null) != (Boolean) r[5]) {
            throw new IllegalStateException("transfer of " + t.callId() + ": the statement " + ((Boolean) r[5] ? "queued" : "did not queue")
                    + " a call refused as " + refused);
        }
        if (refused != null) {
            sql.update("INSERT INTO queue_entry (call_id, skill_group, priority, state, enqueued_at, timeout_at, caller_number,"
                            + " called_number, variables, key_trail, exit_reason, ended_at) VALUES (?1, ?2, ?3, 'ENDED', ?4, ?5, ?6, ?7,"
                            + " ?8, ?9, ?10, ?4)", t.callId(), t.skillGroup(), t.priority(), Timestamp.from(now),
                    Timestamp.from(now.plusSeconds(Math.max(1, t.queueTimeoutSeconds()))), t.callerNumber(), t.calledNumber(),
                    variablesJson(t), keyTrailJson(t), refused.name());
            outbox.publish(t.callId(), new QueueExited(t.callId(), t.skillGroup(), refused, 0));
            return;
        }
        int position = ((Number) r[6]).intValue();
        // offered at once: nothing to wait for but the agent's answer (and the statement did not read the talk times)
        outbox.publish(t.callId(), new CallQueued(t.callId(), t.skillGroup(), position, now,
                r[7] != null ? 0 : estimate(position, secondsPerPosition(r[4], loggedIn))));
        if (r[7] != null) {
            // no one else waited, and an agent was free: offered in the insert, with the request's own data
            offered(t.skillGroup(), new Offer(t.callId(), t.callerNumber(), t.calledNumber(),
                    t.variables() == null ? Map.of() : t.variables(), t.keyTrail() == null ? List.of() : t.keyTrail(), now,
                    (String) r[7], (String) r[8]), commandId, now);
            return;
        }
        // a transfer read concurrently may have counted the same place: checked after commit, unless this
        // caller was served at once and no one waits in the group (then no position is left to be wrong)
        if (!offerWhileBoth(t.skillGroup())) {
            publishPositions(t.skillGroup());
        }
    }

    private static String variablesJson(TransferRequested t) {
        return new String(Json.write(t.variables() == null ? Map.of() : t.variables()), StandardCharsets.UTF_8);
    }

    private static String keyTrailJson(TransferRequested t) {
        return new String(Json.write(t.keyTrail() == null ? List.of() : t.keyTrail()), StandardCharsets.UTF_8);
    }

    /**
     * The agents free for group {@code ?1} (after {@code FROM agent_view a}): serving the group, READY, not
     * reserved, reachable, below the group's reception limit. {@link #OFFER_ONE} and {@link #TRANSFER}
     * choose among them, the best first: {@link #BEST_AGENT_LOCKED}.
     */
    private static final String FREE_AGENTS = " JOIN agent_skill_view s ON s.agent_id = a.agent_id AND s.skill_group_id = ?1"
            + " LEFT JOIN skill_group_view g ON g.id = ?1"
            + " WHERE a.state = 'READY' AND a.reserved_call IS NULL AND a.endpoint IS NOT NULL"
            + " AND a.active_calls < COALESCE(g.reception_limit, 1)";
    /** The best of {@link #FREE_AGENTS} (after {@code ORDER BY}): priority in the group, then longest READY; locked, or skipped if locked. */
    private static final String BEST_AGENT_LOCKED = " s.priority, a.ready_since NULLS LAST, a.agent_id LIMIT 1 FOR UPDATE OF a SKIP LOCKED";

    /**
     * A transfer request decided and applied in one statement. What decides it: queued before, caller gone,
     * agents logged in to the group, its queue's length (when the request limits it), and the talk time its
     * estimates use. When it may be queued (not queued before, the caller still there, an agent logged in,
     * room in the queue): its queue entry, and when no other caller waits in the group, its offer to the best
     * agent free for it ({@link #OFFER_ONE}'s choice: priority in the group, then longest READY; locked,
     * {@code SKIP LOCKED}): the entry is inserted OFFERED and the agent reserved. Otherwise it is inserted
     * WAITING at its place (every waiting caller of its priority or higher, a row this statement sees
     * committed, is ahead of it) and {@link #offerWhileBoth} serves the group in order.
     *
     * <p>One row: queued before, caller gone, agents logged in, queue length (null when not limited), recent
     * talk seconds (null before any, and when offered at once: not read then, there is no wait to estimate),
     * queued now, its place, the agent and its endpoint (nulls when not offered). Parameters, each used once
     * (the prefetch numbers them in order): call id, group, priority, the queue's length limit (null: none),
     * now, timeout, caller, called, variables, key trail, the offer's command id, its expiry.
     *
     * <p>Why one: it runs in the round trip that records the request as processed ({@link #prefetchTransfer});
     * read first and queued after, a transfer was two round trips. A request processed before is never
     * queued again here: its entry (kept for {@code callstream.routing.queue-entry-retention}) makes "queued
     * before" true.
     *
     * <p>The queue's length (when the request limits it) is its WAITING and its OFFERED calls, each counted
     * through a partial index on that state ({@code queue_entry_waiting}, {@code queue_entry_offered}): as one
     * {@code state IN (…)} it read the group's every call kept since it was created, filtered by state.
     *
     * <p>The group's waiting callers are read in subqueries on {@code p.grp} (the callers ahead, and whether any
     * waits: a scalar subquery, not {@code NOT EXISTS}, which PostgreSQL turns into a join), never joined to
     * {@code p}: as a join, with statistics taken before a burst of callers (the partial index on WAITING then
     * looks like one row), the planner read every waiting caller of every group and kept the group's by a join
     * filter (10,000 rows a transfer with 10,000 waiting; docs/benchmarks.md). A subquery's {@code p.grp} is a
     * parameter, looked up in the index.
     */
    static final String TRANSFER = "WITH p AS (SELECT ?1::text AS call_id, ?2::text AS grp, ?3::integer AS priority,"
            + " ?4::integer AS max_len, ?5::timestamptz AS now, ?6::timestamptz AS timeout_at, ?7::text AS caller, ?8::text AS called,"
            + " ?9::text AS variables, ?10::text AS key_trail, ?11::text AS command_id, ?12::timestamptz AS offer_expires),"
            + " f AS MATERIALIZED (SELECT EXISTS (SELECT 1 FROM queue_entry WHERE call_id = p.call_id) AS queued_before,"
            + " EXISTS (SELECT 1 FROM ended_call WHERE call_id = p.call_id) AS gone,"
            + " (SELECT count(*) FROM agent_skill_view s JOIN agent_view a ON a.agent_id = s.agent_id"
            + " WHERE s.skill_group_id = p.grp AND a.state <> 'OFFLINE') AS logged_in,"
            + " CASE WHEN p.max_len IS NOT NULL THEN (SELECT count(*) FROM queue_entry WHERE skill_group = p.grp AND state = 'WAITING')"
            + " + (SELECT count(*) FROM queue_entry WHERE skill_group = p.grp AND state = 'OFFERED') END AS queue_len FROM p),"
            + " go AS MATERIALIZED (SELECT 1 FROM f CROSS JOIN p WHERE NOT f.queued_before AND NOT f.gone AND f.logged_in > 0"
            + " AND (p.max_len IS NULL OR f.queue_len < p.max_len)),"
            + " ahead AS MATERIALIZED (SELECT (SELECT count(*) FROM queue_entry q WHERE q.skill_group = p.grp"
            + " AND q.state = 'WAITING' AND q.priority >= p.priority) AS n FROM p),"
            + " a AS MATERIALIZED (SELECT a.agent_id, a.endpoint FROM p CROSS JOIN agent_view a" + FREE_AGENTS.replace("?1", "p.grp")
            + " AND EXISTS (SELECT 1 FROM go)"
            + " AND (SELECT 1 FROM queue_entry o WHERE o.skill_group = p.grp AND o.state = 'WAITING' LIMIT 1) IS NULL"
            + " ORDER BY" + BEST_AGENT_LOCKED + "),"
            + " reserved AS (UPDATE agent_view v SET reserved_call = p.call_id FROM a CROSS JOIN p WHERE v.agent_id = a.agent_id),"
            + " inserted AS (INSERT INTO queue_entry (call_id, skill_group, priority, state, enqueued_at, timeout_at,"
            + " caller_number, called_number, variables, key_trail, position, offered_agent, offer_command_id, offer_expires_at)"
            + " SELECT p.call_id, p.grp, p.priority, CASE WHEN a.agent_id IS NULL THEN 'WAITING' ELSE 'OFFERED' END, p.now,"
            + " p.timeout_at, p.caller, p.called, p.variables, p.key_trail, CASE WHEN a.agent_id IS NULL THEN 1 + ahead.n END,"
            + " a.agent_id, CASE WHEN a.agent_id IS NOT NULL THEN p.command_id END,"
            + " CASE WHEN a.agent_id IS NOT NULL THEN p.offer_expires END"
            + " FROM go CROSS JOIN p CROSS JOIN ahead LEFT JOIN a ON true)"
            + " SELECT f.queued_before, f.gone, f.logged_in, f.queue_len, CASE WHEN a.agent_id IS NULL THEN (" + recentTalkSeconds("p.grp")
            + ") END, EXISTS (SELECT 1 FROM go), 1 + ahead.n, a.agent_id, a.endpoint FROM f CROSS JOIN ahead CROSS JOIN p LEFT JOIN a ON true";
    /** {@link #TRANSFER} with plain {@code ?} parameters, as a prefetch appends it to another statement. */
    private static final String TRANSFER_PREFETCH = TRANSFER.replaceAll("\\?\\d+", "?");
    private static final Object TRANSFER_READ = new Object();

    /** {@link #TRANSFER}'s row for a call, and the time and offer command id it was run with. */
    private record Decided(String callId, Object[] row, Instant now, String commandId) {
    }

    /** In place of a {@link Decided} once taken: no call's. */
    private static final Decided TAKEN = new Decided(null, null, null, null);

    /** {@link #TRANSFER}'s parameters, in order. */
    private Object[] transferParameters(TransferRequested t, Instant now, String commandId) {
        return new Object[]{t.callId(), t.skillGroup(), t.priority(), t.maxQueueLength(), Timestamp.from(now),
                Timestamp.from(now.plusSeconds(Math.max(1, t.queueTimeoutSeconds()))), t.callerNumber(), t.calledNumber(),
                variablesJson(t), keyTrailJson(t), commandId, Timestamp.from(now.plus(config.ringTimeout()).plus(config.offerGrace()))};
    }

    /**
     * {@link #TRANSFER} for a transfer request, run in the round trip that records the request as processed
     * (servicekit {@link EventHandler.Prefetch}): the request's transaction starts with it decided, and
     * queued when it may be. Should the request turn out processed before, "queued before" kept it from
     * being queued again, and it is not applied.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public EventHandler.Prefetch prefetchTransfer(TransferRequested t) {
        Instant now = now();
        String commandId = UUID.randomUUID().toString();
        Object[] parameters = transferParameters(t, now, commandId);
        return new EventHandler.Prefetch(TRANSFER_PREFETCH,
                (c, ps, first) -> {
                    for (int i = 0; i < parameters.length; i++) {
                        ps.setObject(first + i, parameters[i], TRANSFER_TYPES[i]);
                    }
                }, rows -> {
                    rows.next();
                    Object[] row = new Object[9];
                    for (int i = 0; i < row.length; i++) {
                        row[i] = rows.getObject(i + 1);
                    }
                    transactions.putResource(TRANSFER_READ, new Decided(t.callId(), row, now, commandId));
                });
    }

    /** The JDBC types of {@link #transferParameters}, for its nulls. */
    private static final int[] TRANSFER_TYPES = {java.sql.Types.VARCHAR, java.sql.Types.VARCHAR, java.sql.Types.INTEGER,
            java.sql.Types.INTEGER, java.sql.Types.TIMESTAMP, java.sql.Types.TIMESTAMP, java.sql.Types.VARCHAR, java.sql.Types.VARCHAR,
            java.sql.Types.VARCHAR, java.sql.Types.VARCHAR, java.sql.Types.VARCHAR, java.sql.Types.TIMESTAMP};

    /** What {@link #prefetchTransfer} read and did for this call in this transaction, once; null when nothing. */
    private Decided prefetchedTransfer(String callId) {
        Decided decided = (Decided) transactions.getResource(TRANSFER_READ);
        if (decided == null || !callId.equals(decided.callId())) {
            return null;
        }
        transactions.putResource(TRANSFER_READ, TAKEN); // once
        return decided;
    }

    /** The offered agent answered: connected. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void agentConnected(AgentConnected c) {
        Object[] e = lockEntry(c.callId());
        if (e == null || !"OFFERED".equals(e[1]) || !c.commandId().equals(e[4])) {
            return;
        }
        String agent = (String) e[3];
        sql.update("WITH connected AS (UPDATE queue_entry SET state = 'CONNECTED', connected_agent = ?1, offered_agent = NULL,"
                + " offer_command_id = NULL, offer_expires_at = NULL, connected_at = ?3 WHERE call_id = ?2)"
                + " UPDATE agent_view SET reserved_call = NULL, active_calls = active_calls + 1"
                + " WHERE agent_id = ?1 AND reserved_call = ?2", agent, c.callId(), Timestamp.from(now()));
        outbox.publish(c.callId(), new CallConnected(c.callId(), (String) e[0], agent, waitMillis(e)));
    }

    /** The offered agent did not take the call: the call keeps its place, the agent is reported, the next one tried. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void dialFailed(DialFailed d) {
        Object[] e = lockEntry(d.callId());
        if (e == null || !"OFFERED".equals(e[1]) || d.commandId() == null || !d.commandId().equals(e[4])) {
            return;
        }
        MissReason reason = switch (d.reason()) {
            case NO_ANSWER -> MissReason.NO_ANSWER;
            case BUSY -> MissReason.BUSY;
            default -> MissReason.FAILED;
        };
        missed(d.callId(), e, reason);
        if (!timedOut(d.callId())) {
            assign((String) e[0]);
        }
    }

    /** A call back to WAITING after its queue timeout passed (it was ringing an agent then) leaves now with TIMEOUT. */
    private boolean timedOut(String callId) {
        Object[] e = lockEntry(callId);
        if (!"WAITING".equals(e[1]) || Columns.instant(e[6]).isAfter(now())) {
            return false;
        }
        sql.update("UPDATE queue_entry SET state = 'ENDED', exit_reason = 'TIMEOUT', ended_at = ?1 WHERE call_id = ?2",
                Timestamp.from(now()), callId);
        outbox.publish(callId, new QueueExited(callId, (String) e[0], QueueExitReason.TIMEOUT, waitMillis(e)));
        publishPositions((String) e[0]);
        return true;
    }

    /** The offered agent is released and reported; the call waits again at its place, this agent last for it. */
    private void missed(String callId, Object[] e, MissReason reason) {
        String agent = (String) e[3];
        sql.update("UPDATE queue_entry SET state = 'WAITING', offered_agent = NULL, offer_command_id = NULL,"
                + " offer_expires_at = NULL, missed_agents = array_append(missed_agents, ?1) WHERE call_id = ?2", agent, callId);
        release(agent, callId);
        outbox.publish(callId, new AgentMissed(callId, (String) e[0], agent, reason));
    }

    /** The caller hung up: abandoned if still waiting or ringing an agent; the agent freed if connected. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void callEnded(String callId) {
        Object[] e = lockEntry(callId);
        if (e == null) {
            // most calls end without a transfer; remembered so that a transfer read after the end is not queued
            sql.update("INSERT INTO ended_call (call_id, ended_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    callId, Timestamp.from(now()));
            return;
        }
        String state = (String) e[1];
        if ("WAITING".equals(state) || "OFFERED".equals(state)) {
            sql.update("UPDATE queue_entry SET state = 'ENDED', exit_reason = 'ABANDONED', ended_at = ?1,"
                    + " offered_agent = NULL, offer_command_id = NULL, offer_expires_at = NULL WHERE call_id = ?2",
                    Timestamp.from(now()), callId);
            if ("OFFERED".equals(state)) {
                release((String) e[3], callId);
            }
            outbox.publish(callId, new QueueExited(callId, (String) e[0], QueueExitReason.ABANDONED, waitMillis(e)));
            publishPositions((String) e[0]);
        } else if ("CONNECTED".equals(state)) {
            endConnected(callId, (String) e[5]);
        }
    }

    /** The agent's leg ended (the caller may stay, for the survey): the agent is free of it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void bridgeEnded(BridgeEnded b) {
        Object[] e = lockEntry(b.callId());
        if (e != null && "CONNECTED".equals(e[1]) && b.agentId() != null && b.agentId().equals(e[5])) {
            endConnected(b.callId(), b.agentId());
        }
    }

    /** Forgets calls that ended a day ago or more (see {@code ended_call}); returns how many. */
    @Transactional
    public int forgetEndedCalls(int limit) {
        return sql.update("DELETE FROM ended_call WHERE call_id IN (SELECT call_id FROM ended_call"
                        + " WHERE ended_at < ?1 LIMIT ?2 FOR UPDATE SKIP LOCKED)",
                Timestamp.from(now().minus(java.time.Duration.ofDays(1))), limit);
    }

    /**
     * Up to {@code ?2} ended calls' queue entries queued before {@code ?1}, locked, oldest first: through
     * {@code queue_entry_enqueued_at}, so a round reads what it deletes (and the few old entries not ENDED).
     */
    static final String EXPIRED = "SELECT call_id FROM queue_entry WHERE enqueued_at < ?1 AND state = 'ENDED'"
            + " ORDER BY enqueued_at LIMIT ?2 FOR UPDATE SKIP LOCKED";

    /** Deletes ended calls' queue entries older than {@code callstream.routing.queue-entry-retention}; returns how many. */
    @Transactional
    public int forgetOldEntries(int limit) {
        return sql.update("DELETE FROM queue_entry WHERE call_id IN (" + EXPIRED + ")",
                Timestamp.from(now().minus(config.queueEntryRetention())), limit);
    }

    /**
     * Up to {@code ?2} waiting calls past their queue timeout ({@code ?1}), locked. {@code ended_at IS NULL} (true of
     * every waiting call) is the predicate of the index it reads, {@code queue_entry_timeout}, which no statement
     * about one group's callers carries: that index cannot stand in for {@code queue_entry_waiting} there (see V9).
     */
    static final String TIMED_OUT = "SELECT call_id FROM queue_entry WHERE state = 'WAITING' AND ended_at IS NULL"
            + " AND timeout_at <= ?1 ORDER BY timeout_at LIMIT ?2 FOR UPDATE SKIP LOCKED";

    /** Waiting calls past their queue timeout leave with TIMEOUT; returns how many. */
    @Transactional
    public int timeOut(int limit) {
        List<String> due = sql.values(TIMED_OUT, Timestamp.from(now()), limit);
        Set<String> groups = new HashSet<>();
        for (String callId : due) {
            Object[] e = lockEntry(callId);
            sql.update("UPDATE queue_entry SET state = 'ENDED', exit_reason = 'TIMEOUT', ended_at = ?1 WHERE call_id = ?2",
                    Timestamp.from(now()), callId);
            outbox.publish(callId, new QueueExited(callId, (String) e[0], QueueExitReason.TIMEOUT, waitMillis(e)));
            groups.add((String) e[0]);
        }
        groups.forEach(this::publishPositions);
        return due.size();
    }

    /**
     * Offers the gateway never answered by their deadline (ring timeout + {@code offer-grace}) are given
     * up as {@code FAILED} misses and the groups assigned again; returns how many.
     */
    @Transactional
    public int giveUpOffers(int limit) {
        List<String> due = sql.values("SELECT call_id FROM queue_entry WHERE state = 'OFFERED'"
                        + " AND offer_expires_at <= ?1 ORDER BY offer_expires_at LIMIT ?2 FOR UPDATE SKIP LOCKED",
                Timestamp.from(now()), limit);
        Set<String> groups = new HashSet<>();
        for (String callId : due) {
            Object[] e = lockEntry(callId);
            missed(callId, e, MissReason.FAILED);
            if (!timedOut(callId)) {
                groups.add((String) e[0]);
            }
        }
        groups.forEach(this::assign);
        return due.size();
    }

    /**
     * Offers waiting calls of {@code group} to ready agents while both are there: the first waiting call
     * not locked by another transaction goes to the best agent who can take it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void assign(String group) {
        offerWhileBoth(group);
    }

    /**
     * {@link #assign(String)}; true when no caller is left waiting in the group (none at all, locked or
     * not), so that no position is to publish. Each round is one statement ({@link #OFFER_ONE}), which
     * also tells whether another caller waits: the round after the last offer is not run.
     */
    private boolean offerWhileBoth(String group) {
        boolean changed = false;
        boolean drained = false;
        while (true) {
            Instant now = now();
            String commandId = UUID.randomUUID().toString();
            Object[] r = sql.single(OFFER_ONE, group, Timestamp.from(now), commandId,
                    Timestamp.from(now.plus(config.ringTimeout()).plus(config.offerGrace())));
            boolean othersWaiting = (Boolean) r[8];
            if (r[0] == null) {
                drained = !othersWaiting; // none this transaction may take; callers locked by another one still count
                break;
            }
            if (r[6] == null) {
                break; // who may take a call does not depend on the call (missed agents only come last): none for any
            }
            offered(group, r, commandId, now);
            changed = true;
            if (!othersWaiting) {
                drained = true;
                break;
            }
        }
        if (changed && !drained) {
            publishPositions(group);
        }
        return drained;
    }

    /**
     * One round of assignment in one statement: the group's first waiting call not locked by another
     * transaction (call priority, then arrival), the best agent who can take it (an agent who missed it
     * last, then priority in the group, then longest READY), both locked ({@code SKIP LOCKED}); when both
     * are there the agent is reserved for the call and the call offered to it. One row: the call
     * {call_id, caller, called, variables, key_trail, enqueued_at} (nulls when none), the agent {agent_id,
     * endpoint} (nulls when none), and whether any other caller waits in the group, locked or not (none
     * left: no next round). Parameters: group, now, the offer's command id, its expiry.
     */
    static final String OFFER_ONE = "WITH w AS MATERIALIZED (SELECT call_id, caller_number, called_number, variables,"
            + " key_trail, enqueued_at, missed_agents FROM queue_entry WHERE skill_group = ?1 AND state = 'WAITING'"
            + " AND timeout_at > ?2 ORDER BY priority DESC, seq LIMIT 1 FOR UPDATE SKIP LOCKED),"
            + " a AS MATERIALIZED (SELECT a.agent_id, a.endpoint, w.call_id FROM w CROSS JOIN agent_view a" + FREE_AGENTS
            + " ORDER BY a.agent_id = ANY (w.missed_agents)," + BEST_AGENT_LOCKED + "),"
            + " reserved AS (UPDATE agent_view v SET reserved_call = a.call_id FROM a WHERE v.agent_id = a.agent_id),"
            + " offered AS (UPDATE queue_entry q SET state = 'OFFERED', offered_agent = a.agent_id, offer_command_id = ?3,"
            + " position = NULL, offer_expires_at = ?4 FROM a WHERE q.call_id = a.call_id)"
            + " SELECT w.call_id, w.caller_number, w.called_number, w.variables, w.key_trail, w.enqueued_at, a.agent_id,"
            + " a.endpoint, EXISTS (SELECT 1 FROM queue_entry o WHERE o.skill_group = ?1 AND o.state = 'WAITING'"
            + " AND o.call_id IS DISTINCT FROM w.call_id)"
            + " FROM (SELECT 1) one LEFT JOIN w ON true LEFT JOIN a ON true";

    /** The call {@code r} ({@link #OFFER_ONE}'s row) was offered to its agent: the command to ring the agent, and the offer's event. */
    private void offered(String group, Object[] r, String commandId, Instant now) {
        offered(group, new Offer((String) r[0], (String) r[1], (String) r[2],
                Json.MAPPER.convertValue(Json.read(((String) r[3]).getBytes(StandardCharsets.UTF_8), Map.class),
                        new TypeReference<Map<String, String>>() { }),
                Json.MAPPER.convertValue(Json.read(((String) r[4]).getBytes(StandardCharsets.UTF_8), List.class),
                        new TypeReference<List<KeyPress>>() { }),
                Columns.instant(r[5]), (String) r[6], (String) r[7]), commandId, now);
    }

    /** A call offered to an agent: what the command to ring the agent and the offer's event carry. */
    private record Offer(String callId, String caller, String called, Map<String, String> variables, List<KeyPress> trail,
                         Instant enqueuedAt, String agentId, String endpoint) {
    }

    /** The call was offered to its agent: the command to ring the agent, and the offer's event. */
    private void offered(String group, Offer o, String commandId, Instant now) {
        changed(o.callId());
        String caller = o.caller();
        outbox.publish(o.callId(), new ConnectAgent(commandId, o.callId(), o.agentId(), o.endpoint(),
                (int) Math.max(1, config.ringTimeout().toSeconds()), caller == null || caller.isEmpty() ? null : caller));
        long wait = Math.max(0, ChronoUnit.MILLIS.between(o.enqueuedAt(), now));
        outbox.publish(o.callId(), new AgentOffered(o.callId(), group, o.agentId(), caller == null ? "" : caller,
                o.called() == null ? "" : o.called(), wait, o.variables(), o.trail()));
    }

    /**
     * The group's waiting callers moved: their new positions are published after this transaction
     * commits, by {@link #republishPositions} on the position clock — not in it, where a dequeue of a
     * long queue would rewrite every caller's position before the agent's phone may ring, and many
     * dequeues coalesce into one pass.
     */
    private void publishPositions(String group) {
        AfterCommit.once(transactions, "positions:" + group, () -> movedGroups.add(group));
    }

    /** Groups whose positions are to be published (this process's commits; every group with callers at start). */
    final Set<String> movedGroups = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Positions one transaction rewrites at most: the rows are locked meanwhile, and assignment skips locked calls. */
    private static final int POSITIONS_PER_PASS = 500;

    /**
     * The changed positions of one group's waiting calls ({@code ?1}), rewritten and returned (call id,
     * position), up to {@value #POSITIONS_PER_PASS}, rows locked by another transaction skipped.
     *
     * <p>The locked rows are reached from the ranked ones by primary key. Their WAITING check is written
     * {@code coalesce(state, '') = 'WAITING'} so that no partial index on {@code state = 'WAITING'} can serve
     * it: with statistics taken before a burst of callers (no WAITING rows then), such an index looked like
     * one row, and the planner scanned every waiting call of every group once per ranked call (10,000 x 100
     * comparisons, 67 ms a pass under routing-load, and the positions fell behind; docs/benchmarks.md).
     */
    static final String REPOSITION = "WITH ranked AS (SELECT call_id, row_number() OVER"
            + " (ORDER BY priority DESC, seq) AS pos FROM queue_entry WHERE skill_group = ?1 AND state = 'WAITING'),"
            + " changed AS (SELECT e.call_id, r.pos FROM ranked r JOIN queue_entry e ON e.call_id = r.call_id"
            + " WHERE coalesce(e.state, '') = 'WAITING' AND e.position IS DISTINCT FROM r.pos ORDER BY r.pos LIMIT " + POSITIONS_PER_PASS
            + " FOR UPDATE OF e SKIP LOCKED)"
            + " UPDATE queue_entry q SET position = c.pos FROM changed c WHERE q.call_id = c.call_id"
            + " RETURNING q.call_id, c.pos";

    /** One row when a waiting call of group {@code ?1} has a position other than its place. */
    static final String POSITIONS_LEFT = "SELECT 1 FROM (SELECT position, row_number() OVER (ORDER BY priority DESC, seq) AS pos"
            + " FROM queue_entry WHERE skill_group = ?1 AND state = 'WAITING') w WHERE w.position IS DISTINCT FROM w.pos LIMIT 1";

    /**
     * Publishes the new positions of up to {@value #POSITIONS_PER_PASS} waiting calls of {@code group}
     * whose position changed (the front of the queue first), one statement for the positions; rows locked
     * by another transaction now are left for the next pass (the group stays marked). Returns how many.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int republishPositions(String group) {
        List<Object[]> moved = sql.rows(REPOSITION, group);
        if (!moved.isEmpty()) {
            double perPosition = secondsPerPosition(group);
            moved.sort(java.util.Comparator.comparingLong(m -> ((Number) m[1]).longValue()));
            for (Object[] m : moved) {
                int position = ((Number) m[1]).intValue();
                outbox.publish((String) m[0], new QueuePositionChanged((String) m[0], group, position,
                        estimate(position, perPosition)));
            }
        }
        if (moved.size() == POSITIONS_PER_PASS) {
            return moved.size(); // more to do: the caller runs the next chunk in a transaction of its own
        }
        boolean left = !sql.rows(POSITIONS_LEFT, group).isEmpty();
        if (left) {
            AfterCommit.run(transactions, () -> movedGroups.add(group)); // locked rows, or moved meanwhile: next pass
        }
        return moved.size();
    }

    /** One pass of the position clock: every group marked since the last pass; returns how many groups. */
    public int republishMovedPositions(int limit) {
        int done = 0;
        for (java.util.Iterator<String> it = movedGroups.iterator(); it.hasNext() && done < limit; done++) {
            String group = it.next();
            it.remove();
            try {
                while (republishPositions(group) == POSITIONS_PER_PASS) {
                    // a long queue: the next chunk, in its own transaction
                }
                assignNow(group); // an assignment that found the queue's calls locked by this pass skipped them
            } catch (RuntimeException e) {
                movedGroups.add(group);
                throw e;
            }
        }
        return done;
    }

    /** {@link #assign} in a transaction of its own. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void assignNow(String group) {
        assign(group);
    }

    /** At start: every group with waiting callers, whose positions a crash may have left unpublished. */
    @Transactional
    public void markGroupsWithCallers() {
        List<String> groups = sql.values("SELECT DISTINCT skill_group FROM queue_entry WHERE state = 'WAITING'");
        movedGroups.addAll(groups);
    }

    /**
     * How long each place in the group's queue takes to clear: the average talk time of its last 50
     * answered calls ({@value #DEFAULT_TALK_SECONDS} s until it has some) over its agents logged in.
     */
    private double secondsPerPosition(String group) {
        Object[] r = sql.single("SELECT (" + recentTalkSeconds("?1") + "),"
                        + " (SELECT count(*) FROM agent_skill_view s JOIN agent_view a ON a.agent_id = s.agent_id"
                        + " WHERE s.skill_group_id = ?1 AND a.state <> 'OFFLINE')", group);
        return secondsPerPosition(r[0], ((Number) r[1]).longValue());
    }

    /** A query of the average talk time of the last 50 calls answered in the group {@code groupParameter} (null before any). */
    private static String recentTalkSeconds(String groupParameter) {
        return "SELECT avg(extract(epoch FROM ended_at - connected_at)) FROM (SELECT ended_at, connected_at FROM queue_entry"
                + " WHERE skill_group = " + groupParameter + " AND connected_at IS NOT NULL AND ended_at IS NOT NULL"
                + " ORDER BY ended_at DESC LIMIT 50) recent";
    }

    private static double secondsPerPosition(Object recentTalkSeconds, long loggedIn) {
        double talk = recentTalkSeconds == null ? DEFAULT_TALK_SECONDS : ((Number) recentTalkSeconds).doubleValue();
        return talk / Math.max(1, loggedIn);
    }

    private static int estimate(int position, double secondsPerPosition) {
        return (int) Math.ceil(position * secondsPerPosition);
    }

    private void endConnected(String callId, String agent) {
        sql.update("WITH ended AS (UPDATE queue_entry SET state = 'ENDED', ended_at = ?1 WHERE call_id = ?2)"
                + " UPDATE agent_view SET active_calls = GREATEST(0, active_calls - 1) WHERE agent_id = ?3",
                Timestamp.from(now()), callId, agent);
    }

    private void release(String agent, String callId) {
        sql.update("UPDATE agent_view SET reserved_call = NULL WHERE agent_id = ?1 AND reserved_call = ?2", agent, callId);
    }

    private static final String ENTRY_COLUMNS = "skill_group, state, enqueued_at, offered_agent, offer_command_id,"
            + " connected_agent, timeout_at";
    private static final Object PREFETCHED = new Object();

    /**
     * What a transaction of call and agent events locks, locked up front in one order, in the round trip
     * that records its events as processed (servicekit {@link EventHandler.Prefetch}): the calls' queue
     * entries by call id, then the agents (these agent events' own, and those the entries have on offer
     * or connected) by agent id. After that the events wait for no entry or agent another such transaction
     * holds (assignments take the rest with {@code SKIP LOCKED}), so two such transactions cannot deadlock,
     * however many events each holds.
     * The events read their entries from it ({@link #lockEntry}, {@link #afterEvent}); null when nothing
     * is to lock.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public EventHandler.Prefetch prefetchLocks(List<String> callIds, List<String> agentIds) {
        String[] calls = callIds.stream().filter(java.util.Objects::nonNull).distinct().toArray(String[]::new);
        String[] agents = agentIds.stream().filter(java.util.Objects::nonNull).distinct().toArray(String[]::new);
        if (calls.length == 0 && agents.length == 0) {
            return null;
        }
        return new EventHandler.Prefetch(LOCK_AHEAD, (c, ps, first) -> {
            ps.setArray(first, c.createArrayOf("text", calls));
            ps.setArray(first + 1, c.createArrayOf("text", agents));
        }, rows -> {
            Map<String, Object[]> entries = new java.util.HashMap<>();
            for (String id : calls) {
                entries.put(id, null); // no entry: what lockEntry would have found
            }
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                if (rows.getString(1) == null) {
                    continue; // no entry at all (the outer join's one row)
                }
                Object[] e = new Object[columns - 1];
                for (int i = 1; i < columns; i++) {
                    e[i - 1] = rows.getObject(i + 1);
                }
                entries.put(rows.getString(1), e);
            }
            transactions.putResource(PREFETCHED, entries);
        });
    }

    /**
     * After each event of the transaction. An entry prefetched is locked by this transaction, so it stays
     * as read until this transaction changes it: each is read from the prefetch once, by its call's first
     * event, and an assignment offering a call forgets its entry ({@link #offered}); a later event reads
     * either again (locked already: no wait). A call with no entry at the prefetch locks nothing, and a
     * transfer on the other threads may queue it meanwhile: only the first event takes that absence from
     * the prefetch.
     */
    public void afterEvent() {
        Map<String, Object[]> prefetched = prefetched();
        if (prefetched != null) {
            prefetched.values().removeIf(java.util.Objects::isNull);
        }
    }

    /** The entries {@link #prefetchLocks} read in this transaction and not used yet; null when it read none. */
    @SuppressWarnings("unchecked")
    private Map<String, Object[]> prefetched() {
        return (Map<String, Object[]>) transactions.getResource(PREFETCHED);
    }

    /** This transaction changed the call's entry: a prefetched copy is not to be used. */
    private void changed(String callId) {
        Map<String, Object[]> prefetched = prefetched();
        if (prefetched != null) {
            prefetched.remove(callId);
        }
    }

    /**
     * {@link #prefetchLocks}' statement: the entries CTE is read whole by the agents' (their offered and
     * connected agents), and the agents' by the outer query's first side, so the entries are locked in
     * call-id order, then the agents in agent-id order.
     */
    private static final String LOCK_AHEAD = "WITH e AS MATERIALIZED (SELECT call_id, " + ENTRY_COLUMNS + " FROM queue_entry"
            + " WHERE call_id = ANY (?::text[]) ORDER BY call_id FOR UPDATE),"
            + " a AS MATERIALIZED (SELECT agent_id FROM agent_view WHERE agent_id = ANY (?::text[]"
            + " || ARRAY(SELECT offered_agent FROM e WHERE offered_agent IS NOT NULL)"
            + " || ARRAY(SELECT connected_agent FROM e WHERE connected_agent IS NOT NULL)) ORDER BY agent_id FOR UPDATE)"
            + " SELECT e.call_id, " + java.util.Arrays.stream(ENTRY_COLUMNS.split(",\\s*")).map(c -> "e." + c)
            .collect(java.util.stream.Collectors.joining(", ")) + " FROM (SELECT count(*) FROM a) locked LEFT JOIN e ON true";

    /** {skill_group, state, enqueued_at, offered_agent, offer_command_id, connected_agent, timeout_at}, locked; null when unknown. */
    private Object[] lockEntry(String callId) {
        Map<String, Object[]> prefetched = prefetched();
        if (prefetched != null && prefetched.containsKey(callId)) {
            return prefetched.remove(callId); // once: the event changes it (see afterEvent)
        }
        List<Object[]> rows = sql.rows("SELECT " + ENTRY_COLUMNS + " FROM queue_entry WHERE call_id = ?1 FOR UPDATE", callId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static long waitMillis(Object[] e) {
        return Math.max(0, ChronoUnit.MILLIS.between(Columns.instant(e[2]), now()));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
