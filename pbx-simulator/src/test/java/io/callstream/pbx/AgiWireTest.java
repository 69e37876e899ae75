package io.callstream.pbx;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's FastAGI output, byte for byte, against a gateway the test drives by hand. */
class AgiWireTest {
    private FakeGateway gateway;
    private PbxSimulator sim;

    @BeforeEach
    void start() throws Exception {
        gateway = new FakeGateway();
        // prompts of 150 ms leave the scripted caller ample time to act while one plays
        sim = PbxSimulator.start(new SimulatorConfig(0, "callstream", "secret", "localhost", gateway.port(), -1)
                .withPromptDuration(Duration.ofMillis(150)));
    }

    @AfterEach
    void stop() throws Exception {
        sim.close();
        gateway.close();
    }

    @Test
    void inboundCallSendsAsterisksEnvironmentAndAnswersCommandsAsResAgiDoes() throws Exception {
        SimCall call = sim.call(CallerScript.from("13800000000").name("Ada").to("4001").awaitEnd());
        try (FakeGateway.Session agi = gateway.accept()) {
            assertEquals(List.of("agi_network", "agi_network_script", "agi_request", "agi_channel", "agi_language",
                    "agi_type", "agi_uniqueid", "agi_version", "agi_callerid", "agi_calleridname", "agi_callingpres",
                    "agi_callingani2", "agi_callington", "agi_callingtns", "agi_dnid", "agi_rdnis", "agi_context",
                    "agi_extension", "agi_priority", "agi_enhanced", "agi_accountcode", "agi_threadid"),
                    new ArrayList<>(agi.environment.keySet()));
            assertEquals("yes", agi.environment.get("agi_network"));
            assertEquals("callstream", agi.environment.get("agi_network_script"));
            assertEquals("agi://localhost:" + gateway.port() + "/callstream", agi.environment.get("agi_request"));
            assertEquals(call.channelName(), agi.environment.get("agi_channel"));
            assertTrue(call.channelName().matches("PJSIP/trunk-[0-9a-f]{8}"), call.channelName());
            assertEquals(call.uniqueId(), agi.environment.get("agi_uniqueid"));
            assertTrue(call.uniqueId().matches("\\d{10}\\.\\d+"), call.uniqueId());
            assertEquals("13800000000", agi.environment.get("agi_callerid"));
            assertEquals("Ada", agi.environment.get("agi_calleridname"));
            assertEquals("4001", agi.environment.get("agi_dnid"));
            assertEquals("4001", agi.environment.get("agi_extension"));
            assertEquals("callstream-inbound", agi.environment.get("agi_context"));
            assertEquals("unknown", agi.environment.get("agi_rdnis"));
            assertTrue(agi.environmentLines.contains("agi_accountcode: "));
            assertTrue(agi.environment.get("agi_version").startsWith("20."));

            assertEquals("200 result=4", agi.send("CHANNEL STATUS"));
            assertEquals("200 result=0", agi.send("ANSWER"));
            assertEquals("200 result=6", agi.send("channel status"));
            assertEquals("200 result=0 endpos=1200", agi.send("STREAM FILE welcome \"\""));
            assertEquals("200 result=1", agi.send("SET VARIABLE \"GREETING\" \"hello \\\"world\\\"\""));
            assertEquals("200 result=1 (hello \"world\")", agi.send("GET VARIABLE GREETING"));
            assertEquals("200 result=0", agi.send("GET VARIABLE NOT_SET"));
            assertEquals("200 result=1 (4001 from 13800000000)", agi.send("GET FULL VARIABLE \"${EXTEN} from ${CALLERID(num)}\""));
            assertEquals("510 Invalid or unknown command", agi.send("FROB THE CHANNEL"));
            assertEquals("520-Invalid command syntax.  Proper usage follows:", agi.send("STREAM FILE welcome"));
            String usage;
            do {
                usage = agi.readLine();
            } while (!usage.startsWith("520 "));
            assertEquals("520 End of proper usage.", usage);
            assertEquals("200 result=-2", agi.send("EXEC NoSuchApplication \"\""));
            assertEquals("200 result=0", agi.send("EXEC Festival \"Hello\\\\, world\""));
            assertEquals("200 result=0", agi.send("WAIT FOR DIGIT 30"));
            assertEquals("200 result=1", agi.send("HANGUP"));
            assertEquals("HANGUP", agi.readLine());
            assertEquals("511 Command Not Permitted on a dead channel or intercept routine", agi.send("STREAM FILE x \"\""));
            // what res_agi lets run on a dead channel still runs
            assertEquals("200 result=1 (hello \"world\")", agi.send("GET VARIABLE GREETING"));
            assertEquals("200 result=1", agi.send("SET VARIABLE AJ_AGISTATUS SUCCESS"));
            assertEquals("200 result=0", agi.send("EXEC StopMusicOnHold \"\""));
            // the channel lives on until the gateway lets go of the session, as with a real dead AGI channel
            assertTrue(sim.liveChannels().contains(call.channelName()));
            assertFalse(call.ended());
        }
        Transcript t = call.awaitEnd(Duration.ofSeconds(5));
        assertFalse(sim.liveChannels().contains(call.channelName()));
        assertEquals("gateway", t.hungUpBy());
        assertEquals(16, t.cause());
        assertEquals("Normal Clearing", t.causeText());
        assertEquals(List.of("welcome", "Hello, world"), t.prompts());
        assertEquals(List.of("NoSuchApplication", "Festival", "StopMusicOnHold"), t.applications());
        assertEquals("COMPLETED", t.result());
    }

    @Test
    void keysInterruptPromptsAndFillGetDataLikeAsteriskAndKeysNobodyReadsAreLost() throws Exception {
        SimCall call = sim.call(CallerScript.from("13800000001").to("4002")
                .awaitPrompt("menu").press("2", Duration.ZERO)
                .awaitPrompt("account").press("12#")
                .awaitPrompt("pin").press("7")
                .awaitPrompt("choose").press("#", Duration.ofMillis(400))
                .awaitPrompt("lost").press("9", Duration.ZERO)
                .awaitEnd());
        try (FakeGateway.Session agi = gateway.accept()) {
            assertEquals("200 result=0", agi.send("ANSWER"));
            String menu = agi.send("STREAM FILE menu \"123\"");
            assertTrue(menu.matches("200 result=50 endpos=\\d+"), menu);
            assertTrue(Long.parseLong(menu.substring(menu.indexOf("endpos=") + 7)) < 1200, menu);
            assertEquals("200 result=12", agi.send("GET DATA account 3000 10"));
            assertEquals("200 result=7 (timeout)", agi.send("GET DATA pin 300 4"));
            assertEquals("200 result= (timeout)", agi.send("GET DATA nothing 100"));
            assertEquals("200 result=0 endpos=1200", agi.send("STREAM FILE choose \"\""));
            assertEquals("200 result=35", agi.send("WAIT FOR DIGIT 3000"));
            assertEquals("200 result=0 endpos=1200", agi.send("STREAM FILE lost \"\""));
            assertEquals("200 result=0", agi.send("WAIT FOR DIGIT 200"));
            assertEquals("200 result=1", agi.send("HANGUP"));
            assertEquals("HANGUP", agi.readLine());
        }
        Transcript t = call.awaitEnd(Duration.ofSeconds(5));
        assertEquals("212#7#9", t.keysSent());
        assertTrue(t.events().stream().anyMatch(e -> e.type().equals("key-lost") && e.detail().startsWith("9")), t.render());
        assertEquals(null, t.error(), t.render());
    }

    @Test
    void callerHangingUpMidPromptEndsTheCommandWithMinusOneThenHangupAndDeadChannelReplies() throws Exception {
        SimCall call = sim.call(CallerScript.from("13800000002").to("4003").awaitPrompt("terms").hangup());
        try (FakeGateway.Session agi = gateway.accept()) {
            String reply = agi.send("STREAM FILE terms \"\"");
            assertTrue(reply.matches("200 result=-1 endpos=\\d+"), reply);
            assertEquals("HANGUP", agi.readLine());
            assertEquals("511 Command Not Permitted on a dead channel or intercept routine", agi.send("ANSWER"));
            assertEquals("511 Command Not Permitted on a dead channel or intercept routine", agi.send("WAIT FOR DIGIT 10"));
            assertEquals("200 result=-1", agi.send("EXEC Playback \"goodbye\""));
            assertTrue(sim.liveChannels().contains(call.channelName()));
        }
        Transcript t = call.awaitEnd(Duration.ofSeconds(5));
        assertEquals("caller", t.hungUpBy());
        assertEquals(16, t.cause());
        assertEquals("COMPLETED", t.result());
    }

    @Test
    void hangupWhileTheGatewayIsIdleIsAnnouncedWithAHangupLine() throws Exception {
        SimCall call = sim.call(CallerScript.from("13800000003").to("4004").awaitEnd());
        try (FakeGateway.Session agi = gateway.accept()) {
            assertEquals("200 result=0", agi.send("ANSWER"));
            call.hangup();
            assertEquals("HANGUP", agi.readLine());
            assertEquals("200 result=0", agi.send("NOOP"));
        }
        assertEquals("caller", call.awaitEnd(Duration.ofSeconds(5)).hungUpBy());
    }

    @Test
    void gatewayClosingTheSessionHandsTheCallBackToTheDialplanWhichHangsUp() throws Exception {
        SimCall call = sim.call(CallerScript.from("13800000004").to("4005").awaitPrompt("never"));
        try (FakeGateway.Session agi = gateway.accept()) {
            assertEquals("200 result=0", agi.send("ANSWER"));
        }
        Transcript t = call.awaitEnd(Duration.ofSeconds(5));
        assertEquals("dialplan", t.hungUpBy());
        assertEquals("FAILED", t.result());
        assertTrue(t.error().contains("never"), t.error());
    }

    @Test
    void unreachableGatewayFailsTheCall() throws Exception {
        gateway.close();
        SimCall call = sim.call(CallerScript.from("13800000005").to("4006").awaitEnd());
        Transcript t = call.awaitEnd(Duration.ofSeconds(10));
        assertEquals("FAILED", t.result());
        assertTrue(t.error().startsWith("FastAGI connection to agi://localhost:"), t.error());
        await().atMost(Duration.ofSeconds(5)).until(() -> sim.liveChannels().isEmpty());
    }
}
