package io.callstream.gateway;

import io.callstream.contracts.Json;
import io.callstream.contracts.Topics;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.pbx.CallerScript;
import io.callstream.testkit.KafkaEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.callstream.gateway.agi.AgiListener;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever arrives on the FastAGI port, the gateway keeps serving real calls and leaks no thread. */
@QuarkusTest
class AgiBadInputTest {
    private final KafkaEvents kafka = KafkaEvents.shared();
    private final CallEvents events = new CallEvents();

    @ConfigProperty(name = "callstream.gateway.agi.port")
    int agiPort;

    @Inject
    AgiListener agi;

    @Test
    void aConnectionThatStopsMidEnvironmentIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (Socket s = new Socket("localhost", agiPort)) {
            s.getOutputStream().write("agi_network: yes\nagi_channel: PJSIP/stall-1\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.setSoTimeout(30_000);
            // the gateway closes its end (handshake-timeout is 2 s in tests): the read sees end of stream
            assertEquals(-1, s.getInputStream().read(), "nothing is sent to a connection that never became a call");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> agi.activeCalls() == 0);
    }

    @Test
    void garbageTruncationOversizedLinesAndAbruptDisconnectsLeaveTheGatewayServing() throws Exception {
        badInput();
        await().atMost(Duration.ofSeconds(30)).until(() -> agi.activeCalls() == 0);
        int afterFirstRound = threads();
        badInput();
        await().atMost(Duration.ofSeconds(30)).until(() -> agi.activeCalls() == 0);
        assertTrue(threads() <= afterFirstRound + 2,
                "the same bad input again needs no new threads: " + threads() + " vs " + afterFirstRound);

        String from = "139" + (10_000_000 + (int) (Math.random() * 80_000_000));
        PbxSimulatorResource.simulator().call(CallerScript.from(from).to("4100").awaitEnd());
        var started = events.awaitStarted(from);
        String answer = events.send(new AnswerCall(UUID.randomUUID().toString(), started.callId()));
        assertEquals(answer, events.await(started.callId(), CallAnswered.class).commandId());
        events.send(new HangUp(UUID.randomUUID().toString(), started.callId(), null));
        events.await(started.callId(), CallEnded.class);

        await().atMost(Duration.ofSeconds(30)).until(() -> agi.activeCalls() == 0);
        assertEquals(0, kafka.readToEnd(Topics.CALL_EVENTS).stream()
                .filter(r -> CallStarted.TYPE.equals(KafkaEvents.header(r, CloudEventsKafka.TYPE)))
                .map(r -> Json.read(r.value(), CallStarted.class))
                .filter(c -> c.channel() == null || c.channel().isBlank() || c.channel().startsWith("XXXX"))
                .count(), "no call was made of the garbage");
    }

    private void badInput() throws IOException {
        send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");                         // not AGI at all
        send("agi_network: yes\nagi_request: agi://x/callstream\nagi_chan"); // truncated, then gone
        send("agi_request: agi://x/callstream\n\n");                        // no channel, no unique id
        send("agi_channel: " + "X".repeat(200_000) + "\n");                 // oversized value, no end
        send("\u0000\u00ff\u0001garbage\n\n\n");                            // binary noise
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket("localhost", agiPort)) {
                s.setSoLinger(true, 0); // reset instead of a clean close
            }
        }
    }

    private void send(String text) throws IOException {
        try (Socket s = new Socket("localhost", agiPort); OutputStream out = s.getOutputStream()) {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (java.net.SocketException refused) {
            // the gateway may close the connection before all of the bad input is written (an over-long
            // line is cut off at 8 KiB): a broken pipe or reset here is the refusal, not a test failure
        }
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
