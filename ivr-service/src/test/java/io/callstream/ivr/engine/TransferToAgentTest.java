package io.callstream.ivr.engine;

import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.DigitsCompletion;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.PromptPlayed;
import io.callstream.contracts.call.StartHold;
import io.callstream.contracts.call.StopHold;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.SatisfactionCollected;
import io.callstream.contracts.ivr.SessionOutcome;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.QueueExitReason;
import io.callstream.contracts.routing.QueueExited;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Transfer to agent: the request routing acts on, hold music, and each of routing's answers. */
@QuarkusTest
class TransferToAgentTest {
    private final FakeSwitch sw = new FakeSwitch();

    static final String FLOW = """
            {"name": "NAME", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "order"}},
              {"id": "order", "type": "collectDigits", "label": "Order", "settings": {"prompt": {"text": "Order?"}, "maxDigits": 6, "variable": "orderid"},
               "exits": {"ok": "agents", "failed": "bye"}},
              {"id": "agents", "type": "transferToAgent", "label": "Pre-sales",
               "settings": {"skillGroup": "pre-sales", "priority": 3, "queueTimeoutSeconds": 60, "maxQueueLength": 10,
                            "holdMusic": "calm", "screenPopVariables": ["orderid"]},
               "exits": {"afterAgent": "survey", "queueTimeout": "sorry", "queueFull": "sorry", "noAgent": "sorry"}},
              {"id": "survey", "type": "satisfaction", "label": "Survey",
               "settings": {"prompt": {"text": "Rate us: 1 good, 0 bad."}, "options": {"1": "satisfied", "0": "dissatisfied"}},
               "exits": {"next": "bye"}},
              {"id": "sorry", "type": "play", "settings": {"prompt": {"text": "All our agents are busy."}}, "exits": {"next": "bye"}},
              {"id": "bye", "type": "end"}
            ]}""";

    @Test
    void theCallerIsQueuedConnectedAndAfterTheAgentHangsUpRatesTheAgent() {
        String callId = sw.call("13900000021", FakeSwitch.publishAndBind(FLOW));
        sw.answer(callId);
        CollectDigits order = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, order.commandId(), "123", DigitsCompletion.TERMINATOR));

        StartHold hold = sw.next(callId, StartHold.class);
        assertEquals("calm", hold.musicClass());
        TransferRequested request = sw.awaitIvr(callId, TransferRequested.class);
        assertEquals("pre-sales", request.skillGroup());
        assertEquals(3, request.priority());
        assertEquals(60, request.queueTimeoutSeconds());
        assertEquals(Integer.valueOf(10), request.maxQueueLength());
        assertEquals(Map.of("orderid", "123"), request.variables(), "the screen-pop variables");
        assertEquals("123", request.keyTrail().get(0).keys());
        assertEquals("13900000021", request.callerNumber());

        sw.send(new CallQueued(callId, "pre-sales", 2, Instant.now()));
        sw.send(new CallConnected(callId, "pre-sales", "agent-7", 4200));
        // the gateway reports the end of the agent's leg (routing's ConnectAgent command, not ours)
        sw.send(new BridgeEnded(callId, UUID.randomUUID().toString(), "agent-7", "PJSIP/1007", HangupParty.AGENT, 60_000));

        CollectDigits survey = sw.next(callId, CollectDigits.class);
        assertEquals("Rate us: 1 good, 0 bad.", survey.prompt().text());
        sw.send(new DigitsCollected(callId, survey.commandId(), "0", DigitsCompletion.LENGTH_REACHED));
        SatisfactionCollected rating = sw.awaitIvr(callId, SatisfactionCollected.class);
        assertEquals("agent-7", rating.agentId(), "the agent who served");
        assertEquals("pre-sales", rating.skillGroup());
        assertEquals("dissatisfied", rating.label());
        sw.next(callId, HangUp.class);
        sw.send(new CallEnded(callId, 16, "Normal Clearing", HangupParty.SYSTEM));
        assertEquals(SessionOutcome.COMPLETED, sw.awaitIvr(callId, IvrSessionEnded.class).outcome());
    }

    @Test
    void aQueueTimeoutStopsTheMusicAndTakesItsExit() {
        String callId = sw.call("13900000022", FakeSwitch.publishAndBind(FLOW));
        sw.answer(callId);
        CollectDigits order = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, order.commandId(), "9", DigitsCompletion.TERMINATOR));
        sw.next(callId, StartHold.class);
        sw.awaitIvr(callId, TransferRequested.class);
        sw.send(new QueueExited(callId, "pre-sales", QueueExitReason.TIMEOUT, 60_000));
        sw.next(callId, StopHold.class);
        PlayPrompt sorry = sw.next(callId, PlayPrompt.class);
        assertEquals("All our agents are busy.", sorry.prompt().text());
        sw.send(new PromptPlayed(callId, sorry.commandId(), null));
        sw.next(callId, HangUp.class);
    }

    @Test
    void aWaitingCallerHearsTheirPositionAsTheyJoinWithTheMusicPausedAroundIt() {
        String flow = FLOW.replace("\"holdMusic\": \"calm\",", "\"holdMusic\": \"calm\", \"announceIntervalSeconds\": 30, "
                + "\"announcement\": {\"text\": \"You are number ${sys.queuePosition}, ${sys.callersAhead} ahead of you,"
                + " about ${sys.estimatedWaitSeconds} seconds.\"},");
        String callId = sw.call("13900000023", FakeSwitch.publishAndBind(flow));
        sw.answer(callId);
        CollectDigits order = sw.next(callId, CollectDigits.class);
        sw.send(new DigitsCollected(callId, order.commandId(), "5", DigitsCompletion.TERMINATOR));
        sw.next(callId, StartHold.class);
        sw.awaitIvr(callId, TransferRequested.class);
        sw.send(new CallQueued(callId, "pre-sales", 3, Instant.now(), 90));

        sw.next(callId, StopHold.class);
        PlayPrompt announcement = sw.next(callId, PlayPrompt.class);
        assertEquals("You are number 3, 2 ahead of you, about 90 seconds.", announcement.prompt().text(),
                "routing's estimate as ${sys.estimatedWaitSeconds}");
        assertEquals("calm", sw.next(callId, StartHold.class).musicClass(), "the music comes back");
        // the announcement's result does not move the session: routing's answer still does
        sw.send(new PromptPlayed(callId, announcement.commandId(), null));
        sw.send(new QueueExited(callId, "pre-sales", QueueExitReason.NO_AGENT, 5_000));
        sw.next(callId, StopHold.class);
        assertEquals("All our agents are busy.", sw.next(callId, PlayPrompt.class).prompt().text());
    }

}
