package io.callstream.agent.state;

import io.callstream.agent.domain.AgentStatus;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateCause;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import static io.callstream.contracts.agent.AgentState.AFTER_CALL_WORK;
import static io.callstream.contracts.agent.AgentState.BUSY;
import static io.callstream.contracts.agent.AgentState.NOT_READY;
import static io.callstream.contracts.agent.AgentState.OFFLINE;
import static io.callstream.contracts.agent.AgentState.READY;
import static io.callstream.contracts.agent.AgentState.RINGING;

/**
 * The agent state machine, on one agent's row: what a request or a call event does to it. It changes
 * the row in place and says what changed ({@link Change}), or nothing; a request the machine forbids
 * is a {@link Forbidden} listing what is allowed from where the agent is.
 */
public final class AgentStateMachine {

    /** What a step did: the state before it, and why. The row holds the state after it. */
    public record Change(AgentState previousState, AgentStateCause cause) {
    }

    /** A request not allowed from the agent's state; {@code allowed} is what the agent may ask for there. */
    public static final class Forbidden extends RuntimeException {
        private final List<String> allowed;

        Forbidden(String message, List<String> allowed) {
            super(message);
            this.allowed = allowed;
        }

        public List<String> allowed() {
            return allowed;
        }
    }

    private final int missedCallsLimit;
    private final String missedCallsReason;

    public AgentStateMachine(int missedCallsLimit, String missedCallsReason) {
        this.missedCallsLimit = missedCallsLimit;
        this.missedCallsReason = missedCallsReason;
    }

    /** What may be asked for now, from {@code s}: states, and "… after this call" while on one. */
    public static List<String> allowedRequests(AgentStatus s) {
        if (s.forcedOffline && s.state == OFFLINE) {
            return List.of();
        }
        return switch (s.state) {
            case OFFLINE -> List.of("READY", "NOT_READY");
            case READY -> List.of("NOT_READY", "OFFLINE");
            case NOT_READY, AFTER_CALL_WORK -> List.of("READY", "NOT_READY", "OFFLINE");
            case RINGING, BUSY -> s.forcedOffline ? List.of() : List.of("NOT_READY after this call", "OFFLINE after this call",
                    "READY after this call");
        };
    }

    /**
     * The agent (or an admin on its behalf) asks for {@code target}, now or after the current call.
     * Asking for where the agent already is changes nothing (a client may retry).
     */
    public Change request(AgentStatus s, AgentState target, String reason, boolean afterCall, AgentStateCause cause,
                          Instant now) {
        if (target != READY && target != NOT_READY && target != OFFLINE) {
            throw new IllegalArgumentException("only READY, NOT_READY and OFFLINE can be asked for");
        }
        String why = target == NOT_READY ? reason : null;
        boolean onCall = s.state == RINGING || s.state == BUSY;
        if (s.forcedOffline) {
            throw new Forbidden("an admin forced this agent offline; an admin must restore it first", List.of());
        }
        if (afterCall) {
            if (!onCall) {
                throw new Forbidden("there is no call to wait for: the agent is " + s.state, allowedRequests(s));
            }
            AgentState pending = target == READY ? null : target;
            String pendingReason = target == NOT_READY ? why : null;
            if (pending == s.afterCallState && Objects.equals(pendingReason, s.afterCallReason)) {
                return null;
            }
            s.afterCallState = pending;
            s.afterCallReason = pendingReason;
            return new Change(s.state, cause);
        }
        if (target == s.state && Objects.equals(why, s.reason)) {
            return null;
        }
        List<String> allowed = allowedRequests(s);
        if (!allowed.contains(target.name())) {
            throw new Forbidden("an agent who is " + s.state + " cannot go " + target
                    + (onCall ? " before the call ends (ask for it after this call)" : ""), allowed);
        }
        return move(s, target, why, cause, now);
    }

    /** An admin forces the agent offline: now, or when its call ends; it cannot log in until restored. */
    public Change forceOffline(AgentStatus s, Instant now) {
        if (s.forcedOffline) {
            return null;
        }
        s.forcedOffline = true;
        if (s.state == RINGING || s.state == BUSY) {
            s.afterCallState = OFFLINE;
            s.afterCallReason = null;
            return new Change(s.state, AgentStateCause.ADMIN_REQUEST);
        }
        AgentState before = s.state;
        move(s, OFFLINE, null, AgentStateCause.ADMIN_REQUEST, now);
        return new Change(before, AgentStateCause.ADMIN_REQUEST);
    }

    /** An admin lets a forced-offline agent log in again (it stays where it is). */
    public Change restore(AgentStatus s) {
        if (!s.forcedOffline) {
            return null;
        }
        s.forcedOffline = false;
        return new Change(s.state, AgentStateCause.ADMIN_REQUEST);
    }

    /** routing-service offered the agent a call: its phone rings. */
    public Change offered(AgentStatus s, String callId, String skillGroupId, Instant now) {
        if (s.state == RINGING && callId.equals(s.callId) || s.state == BUSY) {
            return null; // the same offer again, or a second call while on one (not modelled: voice holds one)
        }
        s.resumeState = s.state == RINGING ? s.resumeState : s.state;
        s.resumeReason = s.state == RINGING ? s.resumeReason : s.reason;
        AgentState before = s.state;
        s.state = RINGING;
        s.reason = null;
        s.since = now;
        s.callId = callId;
        s.skillGroupId = skillGroupId;
        s.acwUntil = null;
        return new Change(before, AgentStateCause.CALL_OFFERED);
    }

    /** The agent did not take the offered call: one more miss in a row; too many set it not ready. */
    public Change missed(AgentStatus s, String callId, Instant now) {
        s.missedInRow++;
        boolean ringingForIt = s.state == RINGING && callId.equals(s.callId);
        if (s.missedInRow >= missedCallsLimit && s.afterCallState == null && s.state != OFFLINE
                && (ringingForIt || s.state == READY)) {
            AgentState before = s.state;
            s.missedInRow = 0;
            clearCall(s);
            move(s, NOT_READY, missedCallsReason, AgentStateCause.MISSED_CALLS_LIMIT, now);
            return new Change(before, AgentStateCause.MISSED_CALLS_LIMIT);
        }
        if (!ringingForIt) {
            return null;
        }
        return leaveRinging(s, AgentStateCause.CALL_MISSED, now);
    }

    /** The agent answered. */
    public Change connected(AgentStatus s, String callId, String skillGroupId, Instant now) {
        if (s.state == BUSY && callId.equals(s.callId)) {
            return null;
        }
        AgentState before = s.state;
        s.missedInRow = 0;
        s.state = BUSY;
        s.reason = null;
        s.since = now;
        s.callId = callId;
        s.skillGroupId = skillGroupId != null ? skillGroupId : s.skillGroupId;
        s.resumeState = null;
        s.resumeReason = null;
        s.acwUntil = null;
        return new Change(before, AgentStateCause.CALL_CONNECTED);
    }

    /**
     * The agent's call ended (its leg, or the whole call). On the call: after-call work for
     * {@code afterCallWork}, or what was asked for after the call, or ready. Still ringing: the caller
     * hung up, which is not the agent's miss.
     */
    public Change callEnded(AgentStatus s, String callId, Duration afterCallWork, Instant now) {
        if (!callId.equals(s.callId)) {
            return null;
        }
        if (s.state == RINGING) {
            return leaveRinging(s, AgentStateCause.CALL_ENDED, now);
        }
        if (s.state != BUSY) {
            return null;
        }
        AgentState before = s.state;
        if (s.afterCallState != null) {
            applyAfterCall(s, AgentStateCause.CALL_ENDED, now);
        } else if (!afterCallWork.isZero() && !afterCallWork.isNegative()) {
            s.state = AFTER_CALL_WORK;
            s.reason = null;
            s.since = now;
            s.acwUntil = now.plus(afterCallWork);
        } else {
            move(s, READY, null, AgentStateCause.CALL_ENDED, now);
        }
        return new Change(before, AgentStateCause.CALL_ENDED);
    }

    /** After-call work ran out: ready again. */
    public Change afterCallWorkEnded(AgentStatus s, Instant now) {
        if (s.state != AFTER_CALL_WORK || s.acwUntil == null || s.acwUntil.isAfter(now)) {
            return null;
        }
        move(s, READY, null, AgentStateCause.AFTER_CALL_WORK_ENDED, now);
        return new Change(AFTER_CALL_WORK, AgentStateCause.AFTER_CALL_WORK_ENDED);
    }

    private Change leaveRinging(AgentStatus s, AgentStateCause cause, Instant now) {
        AgentState before = s.state;
        if (s.afterCallState != null) {
            applyAfterCall(s, cause, now);
        } else {
            AgentState back = s.resumeState == null || s.resumeState == RINGING || s.resumeState == BUSY
                    ? READY : s.resumeState;
            String reason = back == NOT_READY ? s.resumeReason : null;
            clearCall(s);
            move(s, back == AFTER_CALL_WORK ? READY : back, reason, cause, now);
        }
        return new Change(before, cause);
    }

    private void applyAfterCall(AgentStatus s, AgentStateCause cause, Instant now) {
        AgentState target = s.afterCallState;
        String reason = s.afterCallReason;
        s.afterCallState = null;
        s.afterCallReason = null;
        clearCall(s);
        move(s, target, target == NOT_READY ? reason : null, cause, now);
    }

    private static void clearCall(AgentStatus s) {
        s.resumeState = null;
        s.resumeReason = null;
    }

    private static Change move(AgentStatus s, AgentState target, String reason, AgentStateCause cause, Instant now) {
        AgentState before = s.state;
        s.state = target;
        s.reason = reason;
        s.since = now;
        s.acwUntil = null;
        if (target == OFFLINE || target == READY || target == NOT_READY) {
            s.resumeState = null;
            s.resumeReason = null;
        }
        if (target == OFFLINE) {
            s.afterCallState = null;
            s.afterCallReason = null;
        }
        return new Change(before, cause);
    }
}
