package io.callstream.pbx;

import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ManagerConnectionFactory;
import org.asteriskjava.manager.action.PingAction;
import org.asteriskjava.manager.response.PingResponse;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Garbage, truncated and oversized input and abrupt disconnects on both sockets; no leaked threads. */
class RobustnessTest {

    @Test
    void amiAnswersBadInputKeepsServingOthersAndLeaksNoThreads() throws Exception {
        try (FakeGateway gateway = new FakeGateway();
             PbxSimulator sim = PbxSimulator.start(new SimulatorConfig(0, "callstream", "pw", "localhost", gateway.port(), -1))) {
            ManagerConnection good = new ManagerConnectionFactory("localhost", sim.amiPort(), "callstream", "pw")
                    .createManagerConnection();
            good.login();
            await().atMost(Duration.ofSeconds(5)).until(() -> amiSessions(sim) == 1);
            int baseline = threads("pbx-ami-");

            try (RawAmi raw = new RawAmi(sim.amiPort())) {
                assertEquals("Asterisk Call Manager/9.0.0", raw.readLine());
                raw.write("this is not a header\r\n\r\n");
                assertEquals("Missing action in request", raw.readPacket().get("Message"));
                raw.write("Action: Ping\r\nActionID: p1\r\n\r\n");
                Map<String, String> denied = raw.readPacket();
                assertEquals("Error", denied.get("Response"));
                assertEquals("p1", denied.get("ActionID"));
                assertEquals("Permission denied", denied.get("Message"));
                raw.write("Action: Ping\r\nX-Padding: " + "x".repeat(20_000) + "\r\nActionID: p2\r\n\r\n");
                assertEquals("Failed to parse message: line too long", raw.readPacket().get("Message"));
                raw.write("\u0000\u00ff\u0001\u0002garbage\u00e9\r\n\r\n");
                assertEquals("Error", raw.readPacket().get("Response"));
                StringBuilder many = new StringBuilder("Action: Ping\r\n");
                for (int i = 0; i < 200; i++) {
                    many.append("X-").append(i).append(": y\r\n");
                }
                raw.write(many.append("\r\n").toString());
                assertEquals("Too many lines in message or allocation failure", raw.readPacket().get("Message"));

                raw.write("Action: Challenge\r\nAuthType: MD5\r\nActionID: c1\r\n\r\n");
                Map<String, String> challenge = raw.readPacket();
                assertEquals("Success", challenge.get("Response"));
                assertEquals("c1", challenge.get("ActionID"));
                String key = AmiSession.md5Hex(challenge.get("Challenge") + "pw");
                raw.write("Action: Login\r\nUsername: callstream\r\nAuthType: MD5\r\nKey: " + key + "\r\nActionID: l1\r\n\r\n");
                Map<String, String> login = raw.readPacket();
                assertEquals("Success", login.get("Response"));
                assertEquals("Authentication accepted", login.get("Message"));
                assertEquals("FullyBooted", raw.readPacket().get("Event"));
                raw.write("Action: Frobnicate\r\nActionID: f1\r\n\r\n");
                Map<String, String> unknown = raw.readPacket();
                assertEquals("Invalid/unknown command", unknown.get("Message"));
                assertEquals("f1", unknown.get("ActionID"));
                raw.write("Action: Hangup\r\nChannel: PJSIP/none-00000000\r\nActionID: h1\r\n\r\n");
                assertEquals("No such channel", raw.readPacket().get("Message"));
                raw.write("Action: Logoff\r\nActionID: bye\r\n\r\n");
                Map<String, String> bye = raw.readPacket();
                assertEquals("Goodbye", bye.get("Response"));
                assertNull(raw.readLine(), "the server closes the connection after Logoff");
            }

            try (RawAmi wrong = new RawAmi(sim.amiPort())) {
                wrong.readLine();
                wrong.write("Action: Login\r\nUsername: callstream\r\nSecret: nope\r\n\r\n");
                assertEquals("Authentication failed", wrong.readPacket().get("Message"));
                assertNull(wrong.readLine(), "a failed login closes the connection, as on Asterisk");
            }
            try (RawAmi truncated = new RawAmi(sim.amiPort())) {
                truncated.write("Action: Pi");
                truncated.reset();
            }
            for (int i = 0; i < 20; i++) {
                try (RawAmi gone = new RawAmi(sim.amiPort())) {
                    gone.reset();
                }
            }

            assertInstanceOf(PingResponse.class, good.sendAction(new PingAction()));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertEquals(1, amiSessions(sim));
                assertEquals(baseline, threads("pbx-ami-"));
            });
            good.logoff();
        }
    }

    @Test
    void agiAnswersGarbageFromTheGatewayAndSurvivesAbruptDisconnects() throws Exception {
        try (FakeGateway gateway = new FakeGateway();
             PbxSimulator sim = PbxSimulator.start(new SimulatorConfig(0, "callstream", "pw", "localhost", gateway.port(), -1))) {
            SimCall first = sim.call(CallerScript.from("13800000500").to("7001").awaitEnd());
            try (FakeGateway.Session agi = gateway.accept()) {
                assertEquals("510 Invalid or unknown command", agi.send("\u0000\u00ff\u0001garbage"));
                assertEquals("510 Invalid or unknown command", agi.send(""));
                assertEquals("510 Invalid or unknown command", agi.send("STREAM FILE " + "x".repeat(5000) + " \"\""));
                assertEquals("200 result=0", agi.send("ANSWER"));
                agi.write("STREAM FILE half-a-comm");
                agi.socket.setSoLinger(true, 0);
            }
            Transcript t = first.awaitEnd(Duration.ofSeconds(10));
            assertEquals("dialplan", t.hungUpBy());

            // twenty sessions the gateway resets at once, then one that works
            List<SimCall> dropped = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                dropped.add(sim.call(CallerScript.from("1380000060" + i).to("7002").awaitEnd()));
                try (FakeGateway.Session agi = gateway.accept()) {
                    agi.socket.setSoLinger(true, 0);
                }
            }
            for (SimCall c : dropped) {
                c.awaitEnd(Duration.ofSeconds(10));
            }
            SimCall last = sim.call(CallerScript.from("13800000700").to("7003").awaitPrompt("fine").awaitEnd());
            try (FakeGateway.Session agi = gateway.accept()) {
                assertEquals("200 result=0 endpos=400", agi.send("STREAM FILE fine \"\""));
                assertEquals("200 result=1", agi.send("HANGUP"));
            }
            assertNull(last.awaitEnd(Duration.ofSeconds(10)).error());
            await().atMost(Duration.ofSeconds(5)).until(() -> sim.liveChannels().isEmpty());
            // idle worker threads retire after two seconds
            await().atMost(Duration.ofSeconds(15)).until(() -> threads("pbx-call-") == 0);
        }
    }

    @Test
    void closeEndsCallsAndLeavesNoThreadBehind() throws Exception {
        FakeGateway gateway = new FakeGateway();
        PbxSimulator sim = PbxSimulator.start(new SimulatorConfig(0, "callstream", "pw", "localhost", gateway.port(), 0));
        sim.agent("PJSIP/1001", AgentBehavior.noAnswer());
        ManagerConnection ami = new ManagerConnectionFactory("localhost", sim.amiPort(), "callstream", "pw")
                .createManagerConnection();
        ami.login();
        SimCall call = sim.call(CallerScript.from("13800000800").to("7004").abandonAfter(Duration.ofMinutes(5)).awaitEnd());
        FakeGateway.Session agi = gateway.accept();
        agi.write("EXEC Dial PJSIP/1001\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> sim.liveChannels().size() == 2);
        assertTrue(threads("pbx-") > 0);

        sim.close();
        Transcript t = call.awaitEnd(Duration.ofSeconds(5));
        assertEquals("shutdown", t.hungUpBy());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(List.of(), threadNames("pbx-")));
        ami.logoff(); // asterisk-java would otherwise keep trying to reconnect
        agi.close();
        gateway.close();
    }

    private static int amiSessions(PbxSimulator sim) throws Exception {
        var field = PbxSimulator.class.getDeclaredField("pbx");
        field.setAccessible(true);
        return ((Pbx) field.get(sim)).ami().sessionCount();
    }

    static int threads(String prefix) {
        return threadNames(prefix).size();
    }

    static List<String> threadNames(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).sorted().toList();
    }

    /** A hand-driven AMI client. */
    private static final class RawAmi implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        RawAmi(int port) throws IOException {
            socket = new Socket("localhost", port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        String readLine() throws IOException {
            return in.readLine();
        }

        Map<String, String> readPacket() throws IOException {
            Map<String, String> packet = new LinkedHashMap<>();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(": ");
                packet.put(line.substring(0, colon), line.substring(colon + 2));
            }
            return packet;
        }

        /** Closes with a TCP reset instead of a clean close. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
