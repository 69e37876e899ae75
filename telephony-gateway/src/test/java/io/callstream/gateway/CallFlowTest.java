package io.callstream.gateway;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.AgentAlerted;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.CommandCompleted;
import io.callstream.contracts.call.CommandFailed;
import io.callstream.contracts.call.CommandFailureReason;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DialFailureReason;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.DigitsCompletion;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.Originate;
import io.callstream.contracts.call.OriginateFailed;
import io.callstream.contracts.call.OriginateOutcome;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.Prompt;
import io.callstream.contracts.call.PromptPlayed;
import io.callstream.contracts.call.StartHold;
import io.callstream.pbx.AgentBehavior;
import io.callstream.pbx.CalleeBehavior;
import io.callstream.pbx.CallerScript;
import io.callstream.pbx.PbxSimulator;
import io.callstream.pbx.SimCall;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Calls through the real FastAGI and AMI sockets of pbx-simulator, events and commands through real Kafka. */
@QuarkusTest
class CallFlowTest {
    private final KafkaEvents kafka = KafkaEvents.shared();
    private final CallEvents events = new CallEvents();
    private final PbxSimulator pbx = PbxSimulatorResource.simulator();

    @Test
    void inboundCallIsAnnouncedAnsweredAndHearsThePrompt() {
        String from = number();
        SimCall call = pbx.call(CallerScript.from(from).to("4001").awaitPrompt("Welcome").awaitEnd());
        CallStarted started = awaitStarted(from);
        assertEquals(CallDirection.INBOUND, started.direction());
        assertEquals("4001", started.to());
        assertTrue(started.gatewayReplica() != null && !started.gatewayReplica().isBlank());

        String answer = send(new AnswerCall(id(), started.callId()));
        assertEquals(answer, await(started.callId(), CallAnswered.class).commandId());
        String play = send(new PlayPrompt(id(), started.callId(), Prompt.text("Welcome to Callstream"), false, 1));
        PromptPlayed played = await(started.callId(), PromptPlayed.class);
        assertEquals(play, played.commandId());
        assertNull(played.interruptedBy());

        send(new HangUp(id(), started.callId(), null));
        CallEnded ended = await(started.callId(), CallEnded.class);
        assertEquals(HangupParty.SYSTEM, ended.hungUpBy());
        call.awaitEnd(Duration.ofSeconds(10));
        assertTrue(call.transcript().prompts().stream().anyMatch(p -> p.contains("Welcome to Callstream")));
        assertExactlyOneEnd(started.callId());
    }

    @Test
    void keysTheCallerPressesComeBackInDigitsCollected() {
        String from = number();
        pbx.call(CallerScript.from(from).to("4002").awaitPrompt("account").press("12#", Duration.ofMillis(300)).awaitEnd());
        String callId = awaitStarted(from).callId();
        String collect = send(new CollectDigits(id(), callId, Prompt.text("Your account number, then hash"), 8, null, "#", 5));
        DigitsCollected digits = await(callId, DigitsCollected.class);
        assertEquals(collect, digits.commandId());
        assertEquals("12", digits.digits());
        assertEquals(DigitsCompletion.TERMINATOR, digits.completion());
        send(new HangUp(id(), callId, null));
        await(callId, CallEnded.class);
    }

    @Test
    void noKeysWithinTheTimeoutIsATimeoutWithNoDigits() {
        String from = number();
        pbx.call(CallerScript.from(from).to("4003").awaitEnd());
        String callId = awaitStarted(from).callId();
        send(new CollectDigits(id(), callId, Prompt.audio("enter-pin"), 4, 4, null, 1));
        DigitsCollected digits = await(callId, DigitsCollected.class);
        assertEquals("", digits.digits());
        assertEquals(DigitsCompletion.TIMEOUT, digits.completion());
        send(new HangUp(id(), callId, null));
        await(callId, CallEnded.class);
    }

    @Test
    void callerHangingUpMidPromptEndsTheCallOnceAsTheCaller() {
        String from = number();
        SimCall call = pbx.call(CallerScript.from(from).to("4004").awaitPrompt("terms").hangup());
        String callId = awaitStarted(from).callId();
        String play = send(new PlayPrompt(id(), callId, Prompt.text("Please listen to our terms and conditions"), false, 50));
        CallEnded ended = await(callId, CallEnded.class);
        assertEquals(HangupParty.CALLER, ended.hungUpBy());
        CommandFailed failed = await(callId, CommandFailed.class);
        assertEquals(play, failed.commandId());
        assertEquals(CommandFailureReason.CALL_ENDED, failed.reason());
        call.awaitEnd(Duration.ofSeconds(10));
        assertExactlyOneEnd(callId);

        String late = send(new PlayPrompt(id(), callId, Prompt.text("too late"), false, 1));
        org.awaitility.Awaitility.await().untilAsserted(() -> assertTrue(kafka.readToEnd(Topics.CALL_EVENTS).stream()
                .filter(r -> callId.equals(r.key()) && CommandFailed.TYPE.equals(type(r)))
                .map(r -> Json.read(r.value(), CommandFailed.class))
                .anyMatch(f -> f.commandId().equals(late) && f.reason() == CommandFailureReason.CALL_ENDED)));
    }

    @Test
    void agentAnswersTalksAndHangsUpAndTheCallerStaysForTheSurvey() {
        String from = number();
        pbx.agent("PJSIP/1001", AgentBehavior.answerAfter(Duration.ofMillis(100)).talkFor(Duration.ofMillis(300)));
        SimCall call = pbx.call(CallerScript.from(from).to("4005").awaitPrompt("rate").press("1").awaitEnd());
        String callId = awaitStarted(from).callId();
        send(new StartHold(id(), callId, null));
        await(callId, CommandCompleted.class);
        String connect = send(new ConnectAgent(id(), callId, "agent-1001", "PJSIP/1001", 10, null));

        assertEquals(connect, await(callId, AgentAlerted.class).commandId());
        AgentConnected connected = await(callId, AgentConnected.class);
        assertEquals("agent-1001", connected.agentId());
        BridgeEnded bridge = await(callId, BridgeEnded.class);
        assertEquals(HangupParty.AGENT, bridge.hungUpBy());
        assertTrue(bridge.talkMillis() >= 200, "talked about 300 ms: " + bridge.talkMillis());

        send(new CollectDigits(id(), callId, Prompt.text("Please rate our service"), 1, 1, null, 5));
        assertEquals("1", await(callId, DigitsCollected.class).digits());
        send(new HangUp(id(), callId, null));
        await(callId, CallEnded.class);
        call.awaitEnd(Duration.ofSeconds(10));
    }

    @Test
    void agentWhoDoesNotAnswerIsReportedAndTheCallerIsStillThere() {
        String from = number();
        pbx.agent("PJSIP/1002", AgentBehavior.noAnswer());
        pbx.call(CallerScript.from(from).to("4006").awaitEnd());
        String callId = awaitStarted(from).callId();
        String connect = send(new ConnectAgent(id(), callId, "agent-1002", "PJSIP/1002", 1, null));
        DialFailed failed = await(callId, DialFailed.class);
        assertEquals(connect, failed.commandId());
        assertEquals(DialFailureReason.NO_ANSWER, failed.reason());
        send(new PlayPrompt(id(), callId, Prompt.text("All agents are busy"), false, 1));
        await(callId, PromptPlayed.class);
        send(new HangUp(id(), callId, null));
        await(callId, CallEnded.class);
    }

    @Test
    void answeredOriginateStartsAnOutboundCallWithTheTaskVariables() {
        String callee = number();
        pbx.callee(callee, CalleeBehavior.answerAfter(Duration.ofMillis(100)));
        String callId = UUID.randomUUID().toString();
        String attemptId = UUID.randomUUID().toString();
        send(new Originate(id(), callId, attemptId, "4009", callee, 20, Map.of("customerName", "Ada", "due", "2026-12-01")));
        CallStarted started = await(callId, CallStarted.class);
        assertEquals(CallDirection.OUTBOUND, started.direction());
        assertEquals(attemptId, started.attemptId());
        assertEquals(callee, started.to());
        assertEquals("4009", started.from());
        assertEquals(Map.of("customerName", "Ada", "due", "2026-12-01"), started.variables());
        send(new HangUp(id(), callId, null));
        assertEquals(HangupParty.SYSTEM, await(callId, CallEnded.class).hungUpBy());
    }

    @Test
    void busyAndUnansweredOriginatesReportTheirOutcome() {
        String busy = number();
        String silent = number();
        pbx.callee(busy, CalleeBehavior.busy());
        pbx.callee(silent, CalleeBehavior.noAnswer());
        String busyCall = UUID.randomUUID().toString();
        String silentCall = UUID.randomUUID().toString();
        send(new Originate(id(), busyCall, UUID.randomUUID().toString(), "4009", busy, 20, Map.of()));
        send(new Originate(id(), silentCall, UUID.randomUUID().toString(), "4009", silent, 1, Map.of()));
        assertEquals(OriginateOutcome.BUSY, await(busyCall, OriginateFailed.class).reason());
        assertEquals(OriginateOutcome.NO_ANSWER, await(silentCall, OriginateFailed.class).reason());
    }

    @Test
    void aDuplicateCommandIdRunsOnce() {
        String from = number();
        SimCall call = pbx.call(CallerScript.from(from).to("4007").awaitEnd());
        String callId = awaitStarted(from).callId();
        PlayPrompt play = new PlayPrompt(id(), callId, Prompt.text("Only once please"), false, 1);
        send(play);
        send(play);
        await(callId, PromptPlayed.class);
        send(new HangUp(id(), callId, null));
        await(callId, CallEnded.class);
        call.awaitEnd(Duration.ofSeconds(10));
        assertEquals(1, call.transcript().prompts().stream().filter(p -> p.contains("Only once please")).count());
        assertEquals(1, events(callId, PromptPlayed.TYPE));
    }

    @Test
    void anUnreadableCommandForAHeldCallFailsAsInvalidAndTheCallGoesOn() {
        String from = number();
        pbx.call(CallerScript.from(from).to("4008").awaitEnd());
        String callId = awaitStarted(from).callId();
        kafka.send(Topics.CALL_COMMANDS, new io.callstream.contracts.cloudevents.EventEnvelope(UUID.randomUUID().toString(),
                PlayPrompt.TYPE, "/test", java.time.Instant.now(), callId,
                "{\"commandId\":\"bad-1\",\"callId\":\"x\",\"prompt\":{}}".getBytes()));
        CommandFailed failed = await(callId, CommandFailed.class);
        assertEquals("bad-1", failed.commandId());
        assertEquals(CommandFailureReason.INVALID, failed.reason());
        send(new PlayPrompt(id(), callId, Prompt.text("still here"), false, 1));
        await(callId, PromptPlayed.class);
        send(new HangUp(id(), callId, null));
        await(callId, CallEnded.class);
    }

    @Test
    void afterTheAmiConnectionDropsTheGatewayReconnectsAndEndsCallsThatVanished() {
        String from = number();
        SimCall call = pbx.call(CallerScript.from(from).to("4010").awaitEnd());
        String callId = awaitStarted(from).callId();
        pbx.dropAmiConnections();
        call.hangup(); // while the gateway has no AMI: only the re-read of live channels can tell it
        CallEnded ended = await(callId, CallEnded.class);
        assertTrue(ended.hungUpBy() == HangupParty.UNKNOWN || ended.hungUpBy() == HangupParty.CALLER, ended.toString());
        assertExactlyOneEnd(callId);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().when().get("/q/health/ready").then().statusCode(200));
    }

    // ---------------------------------------------------------------- helpers

    private String send(CallCommand command) {
        return events.send(command);
    }

    private CallStarted awaitStarted(String from) {
        return events.awaitStarted(from);
    }

    private <T> T await(String callId, Class<T> type) {
        return events.await(callId, type);
    }

    private long events(String callId, String ceType) {
        return events.count(callId, ceType);
    }

    private void assertExactlyOneEnd(String callId) {
        assertEquals(1, events(callId, CallEnded.TYPE), "exactly one CallEnded");
    }

    private static String type(ConsumerRecord<String, byte[]> r) {
        return CallEvents.type(r);
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    private static String number() {
        return "138" + ThreadLocalRandom.current().nextLong(10_000_000L, 99_999_999L);
    }
}
