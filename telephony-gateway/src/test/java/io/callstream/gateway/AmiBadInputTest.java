package io.callstream.gateway;

import io.callstream.contracts.call.AgentAlerted;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.ConnectAgent;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.pbx.AgentBehavior;
import io.callstream.pbx.CallerScript;
import io.callstream.pbx.PbxSimulator;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Whatever the switch writes on the AMI connection, the gateway keeps its calls and its AMI link. */
@QuarkusTest
class AmiBadInputTest {
    private final CallEvents events = new CallEvents();
    private final PbxSimulator pbx = PbxSimulatorResource.simulator();

    @Test
    void garbageUnknownEventsAndTruncatedPacketsOnAmiDoNotDisturbCalls() {
        String from = "137" + (10_000_000 + (int) (Math.random() * 80_000_000));
        pbx.agent("PJSIP/1201", AgentBehavior.answerAfter(Duration.ofMillis(100)).talkFor(Duration.ofMillis(200)));
        pbx.call(CallerScript.from(from).to("4200").awaitEnd());
        String callId = events.awaitStarted(from).callId();

        pbx.sendRawAmi("this is not AMI at all\r\n\r\n");
        pbx.sendRawAmi("Event: SomethingNoAsteriskSends\r\nPrivilege: call,all\r\nChannel: PJSIP/x-1\r\nUniqueid: 1.2\r\n\r\n");
        pbx.sendRawAmi("Event: Hangup\r\nUniqueid: \r\nCause: banana\r\n\r\n");
        pbx.sendRawAmi("Event: DialBegin\r\nChannel: PJSIP/trunk-x\r\nUniqueid: no-such-call\r\n\r\n");
        pbx.sendRawAmi("Event: Newchannel\r\nChannel: " + "Y".repeat(900) + "\r\n\r\n");
        pbx.sendRawAmi("Event: Dial");  // truncated; the next real packet follows it

        // AMI still delivers the events of a real call: AgentAlerted comes only from AMI's DialBegin
        String connect = send(new ConnectAgent(UUID.randomUUID().toString(), callId, "agent-1201", "PJSIP/1201", 10, null));
        assertEquals(connect, await(callId, AgentAlerted.class).commandId());
        assertEquals("agent-1201", await(callId, AgentConnected.class).agentId());
        assertEquals(HangupParty.AGENT, await(callId, BridgeEnded.class).hungUpBy());
        send(new HangUp(UUID.randomUUID().toString(), callId, null));
        assertEquals(HangupParty.SYSTEM, await(callId, CallEnded.class).hungUpBy());
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    private String send(CallCommand command) {
        return events.send(command);
    }

    private <T> T await(String callId, Class<T> type) {
        return events.await(callId, type);
    }
}
