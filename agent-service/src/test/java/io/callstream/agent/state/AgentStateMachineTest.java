package io.callstream.agent.state;

import io.callstream.agent.domain.AgentStatus;
import io.callstream.contracts.agent.AgentState;
import io.callstream.contracts.agent.AgentStateCause;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static io.callstream.contracts.agent.AgentState.AFTER_CALL_WORK;
import static io.callstream.contracts.agent.AgentState.BUSY;
import static io.callstream.contracts.agent.AgentState.NOT_READY;
import static io.callstream.contracts.agent.AgentState.OFFLINE;
import static io.callstream.contracts.agent.AgentState.READY;
import static io.callstream.contracts.agent.AgentState.RINGING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every transition of the agent state machine, and the requests it forbids, on one row in memory. */
class AgentStateMachineTest {
    private static final Instant T0 = Instant.parse("2026-11-24T09:00:00Z");
    private final AgentStateMachine machine = new AgentStateMachine(3, "missed calls");

    private static AgentStatus in(AgentState state) {
        AgentStatus s = AgentStatus.offline(UUID.randomUUID(), T0);
        s.state = state;
        s.reason = state == NOT_READY ? "rest" : null;
        return s;
    }

    private AgentStateMachine.Change ask(AgentStatus s, AgentState target, String reason) {
        return machine.request(s, target, reason, false, AgentStateCause.AGENT_REQUEST, T0.plusSeconds(1));
    }

    /** Every requestable target from every state: allowed ones move the agent, the rest are refused. */
    @ParameterizedTest(name = "{0} -> {1}: {2}")
    @CsvSource({
            "OFFLINE, READY, allowed", "OFFLINE, NOT_READY, allowed", "OFFLINE, OFFLINE, unchanged",
            "READY, READY, unchanged", "READY, NOT_READY, allowed", "READY, OFFLINE, allowed",
            "NOT_READY, READY, allowed", "NOT_READY, NOT_READY, allowed", "NOT_READY, OFFLINE, allowed",
            "RINGING, READY, forbidden", "RINGING, NOT_READY, forbidden", "RINGING, OFFLINE, forbidden",
            "BUSY, READY, forbidden", "BUSY, NOT_READY, forbidden", "BUSY, OFFLINE, forbidden",
            "AFTER_CALL_WORK, READY, allowed", "AFTER_CALL_WORK, NOT_READY, allowed", "AFTER_CALL_WORK, OFFLINE, allowed"})
    void requestsFromEveryState(AgentState from, AgentState target, String outcome) {
        AgentStatus s = in(from);
        String reason = target == NOT_READY ? (from == NOT_READY ? "meeting" : "rest") : null;
        switch (outcome) {
            case "allowed" -> {
                AgentStateMachine.Change c = ask(s, target, reason);
                assertEquals(from, c.previousState());
                assertEquals(AgentStateCause.AGENT_REQUEST, c.cause());
                assertEquals(target, s.state);
                assertEquals(reason, s.reason);
                assertEquals(T0.plusSeconds(1), s.since);
            }
            case "unchanged" -> {
                assertNull(ask(s, target, reason), "asking for where the agent is changes nothing");
                assertEquals(from, s.state);
            }
            default -> {
                AgentStateMachine.Forbidden f = assertThrows(AgentStateMachine.Forbidden.class, () -> ask(s, target, reason));
                assertEquals(List.of("NOT_READY after this call", "OFFLINE after this call", "READY after this call"),
                        f.allowed(), "the refusal lists what the agent may ask for");
                assertEquals(from, s.state);
            }
        }
    }

    @Test
    void afterThisCallRequestsWaitForTheCallToEndAndSkipAfterCallWork() {
        AgentStatus s = in(READY);
        machine.offered(s, "c1", "sales", T0);
        machine.connected(s, "c1", "sales", T0);
        AgentStateMachine.Change pending = machine.request(s, NOT_READY, "lunch", true, AgentStateCause.AGENT_REQUEST, T0);
        assertEquals(BUSY, pending.previousState());
        assertEquals(BUSY, s.state, "nothing changes during the call");
        assertEquals(NOT_READY, s.afterCallState);

        AgentStateMachine.Change end = machine.callEnded(s, "c1", Duration.ofSeconds(30), T0.plusSeconds(60));
        assertEquals(BUSY, end.previousState());
        assertEquals(NOT_READY, s.state);
        assertEquals("lunch", s.reason);
        assertNull(s.afterCallState);
        assertNull(s.acwUntil, "the agent asked to be not ready: no after-call work first");
    }

    @Test
    void afterCallRequestWithoutACallIsRefused() {
        AgentStatus s = in(READY);
        assertThrows(AgentStateMachine.Forbidden.class,
                () -> machine.request(s, OFFLINE, null, true, AgentStateCause.AGENT_REQUEST, T0));
    }

    @Test
    void callEndStartsAfterCallWorkWhichEndsInReady() {
        AgentStatus s = in(READY);
        machine.offered(s, "c1", "sales", T0);
        assertEquals(RINGING, s.state);
        machine.connected(s, "c1", "sales", T0.plusSeconds(5));
        assertEquals(BUSY, s.state);
        machine.callEnded(s, "c1", Duration.ofSeconds(20), T0.plusSeconds(65));
        assertEquals(AFTER_CALL_WORK, s.state);
        assertEquals(T0.plusSeconds(85), s.acwUntil);

        assertNull(machine.afterCallWorkEnded(s, T0.plusSeconds(84)), "not before its time");
        AgentStateMachine.Change c = machine.afterCallWorkEnded(s, T0.plusSeconds(85));
        assertEquals(AgentStateCause.AFTER_CALL_WORK_ENDED, c.cause());
        assertEquals(READY, s.state);
        assertEquals(T0.plusSeconds(85), s.since, "idle since then: routing's longest idle");
    }

    @Test
    void noAfterCallWorkGoesStraightToReady() {
        AgentStatus s = in(READY);
        machine.connected(s, "c1", "sales", T0);
        machine.callEnded(s, "c1", Duration.ZERO, T0.plusSeconds(30));
        assertEquals(READY, s.state);
    }

    @Test
    void aMissReturnsTheAgentWhereItWasAndTheLimitSetsItNotReady() {
        AgentStatus s = in(READY);
        for (int i = 1; i <= 2; i++) {
            machine.offered(s, "c" + i, "sales", T0);
            AgentStateMachine.Change c = machine.missed(s, "c" + i, T0.plusSeconds(20));
            assertEquals(AgentStateCause.CALL_MISSED, c.cause());
            assertEquals(READY, s.state);
            assertEquals(i, s.missedInRow);
        }
        machine.offered(s, "c3", "sales", T0);
        AgentStateMachine.Change third = machine.missed(s, "c3", T0.plusSeconds(20));
        assertEquals(AgentStateCause.MISSED_CALLS_LIMIT, third.cause());
        assertEquals(NOT_READY, s.state);
        assertEquals("missed calls", s.reason);
        assertEquals(0, s.missedInRow, "counting starts again");
    }

    @Test
    void anAnsweredCallResetsTheMissesInARow() {
        AgentStatus s = in(READY);
        machine.offered(s, "c1", "sales", T0);
        machine.missed(s, "c1", T0);
        machine.offered(s, "c2", "sales", T0);
        machine.missed(s, "c2", T0);
        machine.offered(s, "c3", "sales", T0);
        machine.connected(s, "c3", "sales", T0);
        assertEquals(0, s.missedInRow);
    }

    @Test
    void callerHangingUpWhileItRingsIsNoMissAndReturnsANotReadyAgentToNotReady() {
        AgentStatus s = in(NOT_READY);
        machine.offered(s, "c1", "sales", T0); // the offer crossed the agent's request
        assertEquals(RINGING, s.state);
        AgentStateMachine.Change c = machine.callEnded(s, "c1", Duration.ofSeconds(10), T0.plusSeconds(3));
        assertEquals(AgentStateCause.CALL_ENDED, c.cause());
        assertEquals(NOT_READY, s.state);
        assertEquals("rest", s.reason);
        assertEquals(0, s.missedInRow);
    }

    @Test
    void duplicatesAndOtherCallsChangeNothing() {
        AgentStatus s = in(READY);
        machine.offered(s, "c1", "sales", T0);
        assertNull(machine.offered(s, "c1", "sales", T0));
        machine.connected(s, "c1", "sales", T0);
        assertNull(machine.connected(s, "c1", "sales", T0));
        assertNull(machine.offered(s, "c2", "sales", T0), "a second call is not offered over a voice call");
        assertNull(machine.callEnded(s, "c2", Duration.ZERO, T0), "another call's end");
        assertEquals(BUSY, s.state);
        machine.callEnded(s, "c1", Duration.ofSeconds(5), T0);
        assertNull(machine.callEnded(s, "c1", Duration.ofSeconds(5), T0), "the leg's end, then the call's end");
        assertEquals(AFTER_CALL_WORK, s.state);
    }

    @Test
    void forcedOfflineAtOnceOrAfterTheCallAndNoLoginUntilRestored() {
        AgentStatus idle = in(READY);
        AgentStateMachine.Change c = machine.forceOffline(idle, T0);
        assertEquals(READY, c.previousState());
        assertEquals(OFFLINE, idle.state);
        assertTrue(idle.forcedOffline);
        assertThrows(AgentStateMachine.Forbidden.class, () -> ask(idle, READY, null));
        assertEquals(List.of(), AgentStateMachine.allowedRequests(idle));
        machine.restore(idle);
        ask(idle, READY, null);
        assertEquals(READY, idle.state);

        AgentStatus onCall = in(READY);
        machine.connected(onCall, "c9", "sales", T0);
        machine.forceOffline(onCall, T0);
        assertEquals(BUSY, onCall.state, "the call goes on");
        assertThrows(AgentStateMachine.Forbidden.class,
                () -> machine.request(onCall, READY, null, true, AgentStateCause.AGENT_REQUEST, T0));
        machine.callEnded(onCall, "c9", Duration.ofSeconds(30), T0.plusSeconds(40));
        assertEquals(OFFLINE, onCall.state);
        assertTrue(onCall.forcedOffline);
    }
}
