package io.callstream.pbx;

import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiHangupException;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.InvalidOrUnknownCommandException;
import org.asteriskjava.fastagi.command.GetDataCommand;
import org.asteriskjava.fastagi.reply.AgiReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asterisk-java 3.42.2's own FastAGI server runs scripts against the simulator's AGI sessions. */
class AsteriskJavaAgiTest {
    private static GatewayStub gateway;
    private static PbxSimulator sim;

    @BeforeAll
    static void start() {
        gateway = new GatewayStub();
        gateway.awaitListening();
        sim = PbxSimulator.start(new SimulatorConfig(0, "callstream", "secret", "localhost", gateway.port(), -1));
        sim.agent("PJSIP/1001", AgentBehavior.answerAfter(Duration.ofMillis(100)).talkFor(Duration.ofMillis(200)));
        sim.agent("PJSIP/1002", AgentBehavior.noAnswer());
        sim.agent("PJSIP/1003", AgentBehavior.busy());
    }

    @AfterAll
    static void stop() {
        sim.close();
        gateway.close();
    }

    @Test
    void aFullIvrScriptSeesAsteriskReplies() {
        Map<String, Object> seen = new ConcurrentHashMap<>();
        gateway.on("5001", (AgiRequest request, AgiChannel channel) -> {
            seen.put("script", request.getScript());
            seen.put("callerId", request.getCallerIdNumber());
            seen.put("dnid", request.getDnid());
            seen.put("context", request.getContext());
            seen.put("uniqueId", request.getUniqueId());
            seen.put("version", request.getAsteriskVersion().toString());
            channel.answer();
            seen.put("status", channel.getChannelStatus());
            seen.put("menuKey", channel.streamFile("welcome", "123"));
            seen.put("account", channel.getData("enter-account", 3000, 8));
            seen.put("digit", channel.waitForDigit(3000));
            channel.setVariable("CUSTOMER", "Ada \"the first\" Lovelace");
            seen.put("customer", channel.getVariable("CUSTOMER"));
            seen.put("unset", String.valueOf(channel.getVariable("NOT_SET_ANYWHERE")));
            seen.put("festival", channel.exec("Festival", "Thanks for calling\\, truly", "#"));
            seen.put("mohOn", channel.exec("StartMusicOnHold"));
            seen.put("mohOff", channel.exec("StopMusicOnHold"));
            seen.put("unknownApp", channel.exec("NoSuchApplication", "x"));
            try {
                channel.sendCommand(new org.asteriskjava.fastagi.command.NoopCommand() {
                    @Override
                    public String buildCommand() {
                        return "FROB";
                    }
                });
            } catch (InvalidOrUnknownCommandException e) {
                seen.put("510", true);
            }
            seen.put("speechCreate", channel.exec("SpeechCreate"));
            seen.put("speechBackground", channel.exec("SpeechBackground", "how-can-i-help", "2"));
            seen.put("speech", channel.getVariable("SPEECH_TEXT(0)"));
            seen.put("dial", channel.exec("Dial", "PJSIP/1001", "10"));
            seen.put("dialStatus", channel.getVariable("DIALSTATUS"));
            seen.put("answeredTimeMs", channel.getVariable("ANSWEREDTIME_MS"));
            seen.put("dialWithG", channel.exec("Dial", "PJSIP/1001", "10", "g"));
            seen.put("dialNoAnswer", channel.exec("Dial", "PJSIP/1002", "1"));
            seen.put("noAnswerStatus", channel.getVariable("DIALSTATUS"));
            seen.put("dialBusy", channel.exec("Dial", "PJSIP/1003", "5"));
            seen.put("busyStatus", channel.getVariable("DIALSTATUS"));
            seen.put("dialUnknown", channel.exec("Dial", "PJSIP/9999", "5"));
            seen.put("unknownStatus", channel.getVariable("DIALSTATUS"));
            AgiReply goodbye = channel.sendCommand(new org.asteriskjava.fastagi.command.StreamFileCommand("goodbye", ""));
            seen.put("goodbyeResult", goodbye.getResultCode());
            try {
                channel.streamFile("after-hangup");
                seen.put("afterHangup", "played");
            } catch (AgiHangupException e) {
                seen.put("afterHangup", "AgiHangupException");
            }
        });
        SimCall call = sim.call(CallerScript.from("13800000100").to("5001")
                .awaitPrompt("welcome").press("2", Duration.ZERO)
                .awaitPrompt("enter-account").press("1234#")
                .press("5")
                .awaitPrompt("how-can-i-help").say("renew my contract")
                .awaitPrompt("goodbye").hangup());

        Transcript t = call.awaitEnd(Duration.ofSeconds(15));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.containsKey("afterHangup"));
        assertEquals("callstream", seen.get("script"));
        assertEquals("13800000100", seen.get("callerId"));
        assertEquals("5001", seen.get("dnid"));
        assertEquals("callstream-inbound", seen.get("context"));
        assertEquals(call.uniqueId(), seen.get("uniqueId"));
        assertEquals("Asterisk 20", seen.get("version"));
        assertEquals(6, seen.get("status"));
        assertEquals('2', seen.get("menuKey"));
        assertEquals("1234", seen.get("account"));
        assertEquals('5', seen.get("digit"));
        assertEquals("Ada \"the first\" Lovelace", seen.get("customer"));
        assertEquals("null", seen.get("unset"));
        assertEquals(0, seen.get("festival"));
        assertEquals(0, seen.get("mohOn"));
        assertEquals(0, seen.get("mohOff"));
        assertEquals(-2, seen.get("unknownApp"));
        assertEquals(true, seen.get("510"));
        assertEquals(0, seen.get("speechCreate"));
        assertEquals(0, seen.get("speechBackground"));
        assertEquals("renew my contract", seen.get("speech"));
        assertEquals(-1, seen.get("dial"), "after the bridge Dial without 'g' returns -1");
        assertEquals("ANSWER", seen.get("dialStatus"));
        assertTrue(Long.parseLong((String) seen.get("answeredTimeMs")) >= 150, String.valueOf(seen.get("answeredTimeMs")));
        assertEquals(0, seen.get("dialWithG"));
        assertEquals(0, seen.get("dialNoAnswer"));
        assertEquals("NOANSWER", seen.get("noAnswerStatus"));
        assertEquals(0, seen.get("dialBusy"));
        assertEquals("BUSY", seen.get("busyStatus"));
        assertEquals(0, seen.get("dialUnknown"));
        assertEquals("CHANUNAVAIL", seen.get("unknownStatus"));
        assertEquals(-1, seen.get("goodbyeResult"));
        assertEquals("AgiHangupException", seen.get("afterHangup"));

        assertEquals(List.of("welcome", "enter-account", "Thanks for calling, truly", "how-can-i-help", "goodbye"), t.prompts());
        assertEquals("21234#5", t.keysSent());
        assertEquals(List.of("renew my contract"), t.speech());
        assertEquals(List.of("Festival", "StartMusicOnHold", "StopMusicOnHold", "NoSuchApplication", "SpeechCreate",
                "SpeechBackground", "Dial", "Dial", "Dial", "Dial", "Dial"), t.applications());
        assertTrue(t.bridged());
        assertEquals("AGENT", t.result());
        assertEquals("caller", t.hungUpBy());
        assertNull(t.error(), t.render());
        assertTrue(t.events().stream().anyMatch(e -> e.type().equals("hold")));
    }

    @Test
    void getDataReportsTimeoutsAsAsteriskDoes() {
        Map<String, Object> seen = new ConcurrentHashMap<>();
        gateway.on("5002", (request, channel) -> {
            channel.answer();
            AgiReply none = channel.sendCommand(new GetDataCommand("enter-pin", 200, 4));
            seen.put("noneResult", none.getResult());
            seen.put("noneExtra", String.valueOf(none.getExtra()));
            AgiReply some = channel.sendCommand(new GetDataCommand("enter-pin-again", 300, 4));
            seen.put("someResult", some.getResult());
            seen.put("someExtra", String.valueOf(some.getExtra()));
            AgiReply hash = channel.sendCommand(new GetDataCommand("enter-code", 2000, 4));
            seen.put("hashResult", hash.getResult());
            seen.put("hashExtra", String.valueOf(hash.getExtra()));
            channel.hangup();
        });
        SimCall call = sim.call(CallerScript.from("13800000101").to("5002")
                .awaitPrompt("enter-pin-again").press("42")
                .awaitPrompt("enter-code").press("#")
                .awaitEnd());
        Transcript t = call.awaitEnd(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.containsKey("hashExtra"));
        assertEquals("", seen.get("noneResult"));
        assertEquals("timeout", seen.get("noneExtra"));
        assertEquals("42", seen.get("someResult"));
        assertEquals("timeout", seen.get("someExtra"));
        assertEquals("", seen.get("hashResult"));
        assertEquals("null", seen.get("hashExtra"));
        assertEquals("gateway", t.hungUpBy());
    }

    @Test
    void callerHangingUpDuringTheBridgeEndsDialWithMinusOne() {
        Map<String, Object> seen = new ConcurrentHashMap<>();
        sim.agent("PJSIP/1010", AgentBehavior.answerAfter(Duration.ofMillis(50)));
        gateway.on("5003", (request, channel) -> {
            channel.answer();
            seen.put("dial", channel.exec("Dial", "PJSIP/1010", "10", "g"));
            seen.put("status", channel.getVariable("DIALSTATUS"));
            try {
                channel.answer();
            } catch (AgiHangupException e) {
                seen.put("hangup", true);
            }
        });
        SimCall call = sim.call(CallerScript.from("13800000102").to("5003").awaitAgent().pause(Duration.ofMillis(100)).hangup());
        Transcript t = call.awaitEnd(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.containsKey("hangup"));
        assertEquals(-1, seen.get("dial"));
        assertEquals("ANSWER", seen.get("status"));
        assertTrue(t.bridged());
        assertEquals("caller", t.hungUpBy());
        assertFalse(sim.liveChannels().stream().anyMatch(n -> n.startsWith("PJSIP/1010-")));
    }
}
