package io.callstream.pbx;

import org.asteriskjava.AsteriskVersion;
import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ManagerConnectionFactory;
import org.asteriskjava.manager.ManagerConnectionState;
import org.asteriskjava.manager.ResponseEvents;
import org.asteriskjava.manager.action.CoreSettingsAction;
import org.asteriskjava.manager.action.CoreShowChannelsAction;
import org.asteriskjava.manager.action.HangupAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.action.PingAction;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.asteriskjava.manager.event.BridgeLeaveEvent;
import org.asteriskjava.manager.event.ConnectEvent;
import org.asteriskjava.manager.event.CoreShowChannelEvent;
import org.asteriskjava.manager.event.DialBeginEvent;
import org.asteriskjava.manager.event.DialEndEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.HangupRequestEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.NewChannelEvent;
import org.asteriskjava.manager.event.OriginateResponseEvent;
import org.asteriskjava.manager.response.CoreSettingsResponse;
import org.asteriskjava.manager.response.ManagerError;
import org.asteriskjava.manager.response.ManagerResponse;
import org.asteriskjava.manager.response.PingResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asterisk-java 3.42.2's ManagerConnection against the simulator's AMI. */
class AsteriskJavaAmiTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static GatewayStub gateway;
    private static PbxSimulator sim;
    private static ManagerConnection ami;
    private static final List<ManagerEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        gateway = new GatewayStub();
        gateway.awaitListening();
        sim = PbxSimulator.start(new SimulatorConfig(0, "callstream", "s3cret", "localhost", gateway.port(), -1));
        ami = new ManagerConnectionFactory("localhost", sim.amiPort(), "callstream", "s3cret").createManagerConnection();
        ami.addEventListener(events::add);
        ami.login();
    }

    @AfterAll
    static void stop() {
        if (ami.getState() == ManagerConnectionState.CONNECTED) {
            ami.logoff();
        }
        sim.close();
        gateway.close();
    }

    @Test
    void logsInWithTheMd5ChallengeLearnsAsterisk20AndPings() throws Exception {
        assertEquals(ManagerConnectionState.CONNECTED, ami.getState());
        assertEquals(AsteriskVersion.ASTERISK_20, ami.getVersion());
        assertTrue(ami.getProtocolIdentifier().startsWith("Asterisk Call Manager/"));
        ManagerResponse pong = ami.sendAction(new PingAction());
        assertInstanceOf(PingResponse.class, pong);
        assertEquals("Pong", ((PingResponse) pong).getPing());
        ManagerResponse settings = ami.sendAction(new CoreSettingsAction());
        assertTrue(((CoreSettingsResponse) settings).getAsteriskVersion().startsWith("20."));
    }

    @Test
    void wrongSecretIsRefused() {
        ManagerConnection bad = new ManagerConnectionFactory("localhost", sim.amiPort(), "callstream", "wrong")
                .createManagerConnection();
        try {
            bad.login();
            throw new AssertionError("logged in with a wrong secret");
        } catch (org.asteriskjava.manager.AuthenticationFailedException e) {
            assertTrue(e.getMessage().contains("Authentication failed"), e.getMessage());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void originateAnswersThenOpensAnAgiSessionWithTheChannelIdAndVariables() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        gateway.on("callstream-outbound", (request, channel) -> {
            seen.put("uniqueId", request.getUniqueId());
            seen.put("context", request.getContext());
            seen.put("extension", request.getExtension());
            seen.put("callerId", String.valueOf(request.getCallerIdNumber()));
            seen.put("callId", channel.getVariable("CALL_ID"));
            seen.put("campaign", channel.getVariable("CAMPAIGN"));
            channel.answer();
            channel.exec("Festival", "Your appointment is tomorrow");
            seen.put("key", String.valueOf(channel.waitForDigit(3000)));
            channel.hangup();
        });
        sim.callee("13900000001", CalleeBehavior.answerAfter(Duration.ofMillis(100))
                .then(new Step.AwaitPrompt("appointment", null), new Step.Press("1", Duration.ofMillis(200)), new Step.AwaitEnd(null)));

        OriginateAction originate = new OriginateAction();
        originate.setChannel("PJSIP/13900000001@trunk");
        originate.setContext("callstream-outbound");
        originate.setExten("s");
        originate.setPriority(1);
        originate.setTimeout(5000L);
        originate.setCallerId("4009");
        originate.setAsync(true);
        originate.setChannelId("attempt-0001");
        originate.setVariables(Map.of("CALL_ID", "call-77", "CAMPAIGN", "renewals"));
        ManagerResponse queued = ami.sendAction(originate);
        assertEquals("Success", queued.getResponse());
        assertEquals("Originate successfully queued", queued.getMessage());

        OriginateResponseEvent response = awaitEvent(OriginateResponseEvent.class, e -> "attempt-0001".equals(e.getUniqueId()));
        assertEquals("Success", response.getResponse());
        assertEquals(4, response.getReason());
        assertTrue(response.getChannel().matches("PJSIP/trunk-[0-9a-f]{8}"), response.getChannel());
        assertEquals("callstream-outbound", response.getContext());
        assertEquals("s", response.getExten());
        assertEquals("4009", response.getCallerIdNum());

        await().atMost(WAIT).until(() -> seen.containsKey("key"));
        assertEquals("attempt-0001", seen.get("uniqueId"));
        assertEquals("callstream-outbound", seen.get("context"));
        assertEquals("s", seen.get("extension"));
        assertEquals("4009", seen.get("callerId"));
        assertEquals("call-77", seen.get("callId"));
        assertEquals("renewals", seen.get("campaign"));
        assertEquals("1", seen.get("key"));

        SimCall callee = sim.callsFor("13900000001").get(0);
        Transcript t = callee.awaitEnd(WAIT);
        assertEquals("outbound", t.direction());
        assertEquals("ANSWERED", t.result());
        assertEquals(List.of("Your appointment is tomorrow"), t.prompts());
        assertEquals("1", t.keysSent());
        assertEquals(Map.of("CALL_ID", "call-77", "CAMPAIGN", "renewals"), t.variables());
        assertEquals("gateway", t.hungUpBy());
        awaitEvent(HangupEvent.class, e -> "attempt-0001".equals(e.getUniqueId()));
    }

    @Test
    void originateFailuresCarryAsterisksReasonCodes() throws Exception {
        sim.callee("13900000002", CalleeBehavior.busy());
        sim.callee("13900000003", CalleeBehavior.noAnswer());
        sim.callee("13900000004", CalleeBehavior.reject());
        sim.callee("13900000005", CalleeBehavior.congestion());
        sim.callee("13900000006", CalleeBehavior.noAnswer().afterRinging(Duration.ofMillis(200)));
        Map<String, Integer> expected = Map.of("13900000002", 5, "13900000003", 3, "13900000004", 1,
                "13900000005", 8, "13900000006", 3, "13900000099", 0);
        for (String number : expected.keySet()) {
            OriginateAction o = new OriginateAction();
            o.setChannel("PJSIP/" + number + "@trunk");
            o.setContext("callstream-outbound");
            o.setExten("s");
            o.setPriority(1);
            o.setTimeout(number.equals("13900000003") ? 500L : 5000L);
            o.setAsync(true);
            o.setChannelId("fail-" + number);
            assertEquals("Success", ami.sendAction(o).getResponse());
        }
        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            OriginateResponseEvent r = awaitEvent(OriginateResponseEvent.class, ev -> ("fail-" + e.getKey()).equals(ev.getUniqueId()));
            assertEquals("Failure", r.getResponse(), e.getKey());
            assertEquals(e.getValue(), r.getReason(), e.getKey());
            assertEquals("PJSIP/" + e.getKey() + "@trunk", r.getChannel());
        }
        assertEquals("BUSY", sim.callsFor("13900000002").get(0).awaitEnd(WAIT).result());
        assertEquals("NO_ANSWER", sim.callsFor("13900000003").get(0).awaitEnd(WAIT).result());
        assertEquals("REJECTED", sim.callsFor("13900000004").get(0).awaitEnd(WAIT).result());
        assertEquals("CONGESTION", sim.callsFor("13900000005").get(0).awaitEnd(WAIT).result());
        assertEquals("FAILED", sim.callsFor("13900000099").get(0).awaitEnd(WAIT).result());
    }

    @Test
    void aCalleeBusyOnTheFirstCallAnswersTheSecondAndTheLastBehaviourStays() throws Exception {
        gateway.on("callstream-retry", (request, channel) -> {
            channel.answer();
            channel.exec("Festival", "Second try");
            channel.hangup();
        });
        sim.callee("13900000010", CalleeBehavior.busy().followedBy(CalleeBehavior.answerAfter(Duration.ofMillis(50))
                .then(new Step.AwaitPrompt("Second try", null), new Step.AwaitEnd(null))));
        Map<String, Integer> reasons = new java.util.LinkedHashMap<>();
        for (String id : List.of("retry-1", "retry-2", "retry-3")) {
            OriginateAction o = new OriginateAction();
            o.setChannel("PJSIP/13900000010@trunk");
            o.setContext("callstream-retry");
            o.setExten("s");
            o.setPriority(1);
            o.setTimeout(5000L);
            o.setAsync(true);
            o.setChannelId(id);
            assertEquals("Success", ami.sendAction(o).getResponse());
            // one at a time: the sequence follows the order the calls reach the number
            reasons.put(id, awaitEvent(OriginateResponseEvent.class, e -> id.equals(e.getUniqueId())).getReason());
        }
        assertEquals(Map.of("retry-1", 5, "retry-2", 4, "retry-3", 4), reasons);
        List<SimCall> calls = sim.callsFor("13900000010");
        assertEquals(List.of("BUSY", "ANSWERED", "ANSWERED"),
                calls.stream().map(c -> c.awaitEnd(WAIT).result()).toList());
        assertEquals(List.of("Second try"), calls.get(1).awaitEnd(WAIT).prompts());

        // registering the number again starts its sequence over
        sim.callee("13900000010", CalleeBehavior.busy().followedBy(CalleeBehavior.reject()));
        OriginateAction again = new OriginateAction();
        again.setChannel("PJSIP/13900000010@trunk");
        again.setContext("callstream-retry");
        again.setExten("s");
        again.setPriority(1);
        again.setAsync(true);
        again.setChannelId("retry-4");
        assertEquals("Success", ami.sendAction(again).getResponse());
        assertEquals(5, awaitEvent(OriginateResponseEvent.class, e -> "retry-4".equals(e.getUniqueId())).getReason());
    }

    @Test
    void anAgentDialProducesDialBridgeAndHangupEvents() throws Exception {
        sim.agent("PJSIP/2001", AgentBehavior.answerAfter(Duration.ofMillis(100)).talkFor(Duration.ofMillis(200)));
        gateway.on("6001", (request, channel) -> {
            channel.answer();
            channel.exec("Dial", "PJSIP/2001", "10", "g");
            channel.hangup();
        });
        SimCall call = sim.call(CallerScript.from("13800000200").to("6001").awaitAgent().awaitEnd());
        call.awaitEnd(WAIT);
        String caller = call.channelName();

        NewChannelEvent created = awaitEvent(NewChannelEvent.class, e -> caller.equals(e.getChannel()));
        assertEquals(call.uniqueId(), created.getUniqueId());
        DialBeginEvent begin = awaitEvent(DialBeginEvent.class, e -> caller.equals(e.getChannel()));
        assertEquals(call.uniqueId(), begin.getUniqueId());
        assertTrue(begin.getDestChannel().startsWith("PJSIP/2001-"), begin.getDestChannel());
        assertEquals("2001", begin.getDialString());
        String agentLeg = begin.getDestChannel();
        String agentUniqueId = begin.getDestUniqueId();
        DialEndEvent end = awaitEvent(DialEndEvent.class, e -> agentLeg.equals(e.getDestChannel()));
        assertEquals("ANSWER", end.getDialStatus());
        assertEquals(agentUniqueId, end.getDestUniqueId());
        BridgeEnterEvent callerEnters = awaitEvent(BridgeEnterEvent.class, e -> caller.equals(e.getChannel()));
        BridgeEnterEvent agentEnters = awaitEvent(BridgeEnterEvent.class, e -> agentLeg.equals(e.getChannel()));
        assertNotNull(callerEnters.getBridgeUniqueId());
        assertEquals(callerEnters.getBridgeUniqueId(), agentEnters.getBridgeUniqueId());
        awaitEvent(BridgeLeaveEvent.class, e -> agentLeg.equals(e.getChannel()));
        awaitEvent(BridgeLeaveEvent.class, e -> caller.equals(e.getChannel()));
        HangupEvent agentHangup = awaitEvent(HangupEvent.class, e -> agentLeg.equals(e.getChannel()));
        assertEquals(16, agentHangup.getCause());
        assertEquals("Normal Clearing", agentHangup.getCauseTxt());
        assertEquals(call.uniqueId(), agentHangup.getLinkedId());
        HangupEvent callerHangup = awaitEvent(HangupEvent.class, e -> caller.equals(e.getChannel()));
        assertEquals(call.uniqueId(), callerHangup.getUniqueId());
    }

    @Test
    void coreShowChannelsListsLiveChannelsAndHangupEndsOne() throws Exception {
        gateway.on("6002", (request, channel) -> {
            channel.answer();
            try {
                channel.waitForDigit(-1);
                channel.streamFile("still-there");
            } catch (org.asteriskjava.fastagi.AgiHangupException e) {
                // hung up over AMI
            }
        });
        SimCall call = sim.call(CallerScript.from("13800000300").to("6002").awaitEnd());
        await().atMost(WAIT).until(() -> call.transcript().events().stream().anyMatch(e -> e.detail().equals("answered")));

        ResponseEvents listing = ami.sendEventGeneratingAction(new CoreShowChannelsAction());
        assertEquals("Success", listing.getResponse().getResponse());
        Optional<CoreShowChannelEvent> listed = listing.getEvents().stream()
                .filter(CoreShowChannelEvent.class::isInstance).map(CoreShowChannelEvent.class::cast)
                .filter(e -> call.channelName().equals(e.getChannel())).findFirst();
        assertTrue(listed.isPresent(), listing.getEvents().toString());
        assertEquals(call.uniqueId(), listed.get().getUniqueid());
        assertEquals("13800000300", listed.get().getCallerIdNum());
        assertEquals("AGI", listed.get().getApplication());
        assertEquals("6002", listed.get().getExten());
        assertEquals(6, listed.get().getChannelState());

        ManagerResponse unknown = ami.sendAction(new HangupAction("PJSIP/nobody-00000000"));
        assertInstanceOf(ManagerError.class, unknown);
        assertEquals("No such channel", unknown.getMessage());
        ManagerResponse hungUp = ami.sendAction(new HangupAction(call.channelName()));
        assertEquals("Success", hungUp.getResponse());

        Transcript t = call.awaitEnd(WAIT);
        assertEquals("gateway", t.hungUpBy());
        HangupEvent hangup = awaitEvent(HangupEvent.class, e -> call.channelName().equals(e.getChannel()));
        assertEquals(16, hangup.getCause());
        ResponseEvents after = ami.sendEventGeneratingAction(new CoreShowChannelsAction());
        assertTrue(after.getEvents().stream().filter(CoreShowChannelEvent.class::isInstance)
                .map(CoreShowChannelEvent.class::cast).noneMatch(e -> call.channelName().equals(e.getChannel())));
    }

    @Test
    void callerHangupIsAHangupRequestFirstAndAHangupOnceTheAgiSessionIsOver() {
        gateway.on("6003", (request, channel) -> {
            channel.answer();
            try {
                channel.streamFile("long-story");
                channel.streamFile("more");
            } catch (org.asteriskjava.fastagi.AgiHangupException e) {
                // the caller left
            }
        });
        SimCall call = sim.call(CallerScript.from("13800000400").to("6003").awaitPrompt("long-story").hangup());
        call.awaitEnd(WAIT);
        HangupRequestEvent request = awaitEvent(HangupRequestEvent.class, e -> call.channelName().equals(e.getChannel()));
        HangupEvent hangup = awaitEvent(HangupEvent.class, e -> call.channelName().equals(e.getChannel()));
        assertEquals(16, hangup.getCause());
        assertTrue(events.indexOf(request) < events.indexOf(hangup));
    }

    @Test
    void redirectMovesTheChannelOutOfItsAgiSessionIntoANewOne() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>();
        gateway.on("6004", (request, channel) -> {
            channel.answer();
            try {
                channel.waitForDigit(-1);
                channel.answer();
            } catch (org.asteriskjava.fastagi.AgiHangupException e) {
                seen.put("firstSession", "released");
            }
        });
        gateway.on("6005", (request, channel) -> {
            seen.put("secondContext", request.getContext());
            seen.put("secondUniqueId", request.getUniqueId());
            seen.put("status", String.valueOf(channel.getChannelStatus()));
            channel.hangup();
        });
        SimCall call = sim.call(CallerScript.from("13800000500").to("6004").awaitEnd());
        await().atMost(WAIT).until(() -> call.transcript().events().stream().anyMatch(e -> e.detail().equals("answered")));
        org.asteriskjava.manager.action.RedirectAction redirect = new org.asteriskjava.manager.action.RedirectAction(
                call.channelName(), "callstream-transfer", "6005", 1);
        assertEquals("Redirect successful", ami.sendAction(redirect).getMessage());
        Transcript t = call.awaitEnd(WAIT);
        assertEquals("released", seen.get("firstSession"));
        assertEquals("callstream-transfer", seen.get("secondContext"));
        assertEquals(call.uniqueId(), seen.get("secondUniqueId"));
        assertEquals("6", seen.get("status"));
        assertEquals("gateway", t.hungUpBy());
    }

    @Test
    void reconnectsAfterTheNetworkDropsTheAmiConnection() throws Exception {
        int connectsBefore = (int) events.stream().filter(ConnectEvent.class::isInstance).count();
        sim.dropAmiConnections();
        await().atMost(Duration.ofSeconds(20)).until(() ->
                events.stream().filter(ConnectEvent.class::isInstance).count() > connectsBefore
                        && ami.getState() == ManagerConnectionState.CONNECTED);
        assertInstanceOf(PingResponse.class, ami.sendAction(new PingAction()));
    }

    @SuppressWarnings("unchecked")
    private static <T extends ManagerEvent> T awaitEvent(Class<T> type, java.util.function.Predicate<T> match) {
        return (T) await().atMost(WAIT).until(() -> events.stream()
                .filter(type::isInstance).map(type::cast).filter(match).findFirst(), Optional::isPresent).get();
    }
}
