package io.callstream.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.contracts.Json;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.callstream.systemtests.SystemChecks.await;
import static io.callstream.systemtests.SystemChecks.check;
import static io.callstream.systemtests.SystemChecks.count;
import static io.callstream.systemtests.SystemChecks.finish;
import static io.callstream.systemtests.SystemChecks.get;
import static io.callstream.systemtests.SystemChecks.prompts;
import static io.callstream.systemtests.SystemChecks.send;
import static io.callstream.systemtests.SystemChecks.transcript;

/**
 * A caller reaches an agent through every service: a flow transfers to the demo group pre-sales,
 * routing-service offers the call to the ready demo agent A1001 (the simulator's PJSIP/1001, which
 * answers, talks and hangs up), the caller rates the service after the agent leaves, and agent-service
 * shows the agent's states and the satisfaction record, ivr-service the call record. Needs the local
 * stack with its demo data (deploy/local/up); prints its checks and exits non-zero on a failure.
 *   AgentCallSystemTest ivr=http://localhost:8082 agents=http://localhost:8084 pbx=… token=ADMIN agentToken=A1001's
 */
public final class AgentCallSystemTest {

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : argv) {
            int eq = arg.indexOf('=');
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String ivr = a.get("ivr"), agents = a.get("agents"), pbx = a.get("pbx"), token = a.get("token");
        String agentToken = a.get("agentToken");

        String flow = """
                {"name": "Agent line (system test %d)", "kind": "INBOUND", "nodes": [
                  {"id": "start", "type": "start", "exits": {"next": "presales"}},
                  {"id": "presales", "type": "transferToAgent", "label": "Pre-sales",
                   "settings": {"skillGroup": "pre-sales", "queueTimeoutSeconds": 60, "screenPopVariables": []},
                   "exits": {"afterAgent": "survey", "queueTimeout": "sorry", "queueFull": "sorry", "noAgent": "sorry"}},
                  {"id": "survey", "type": "satisfaction", "label": "Survey",
                   "settings": {"prompt": {"text": "Press 1 if you were satisfied, 0 if not."},
                                "options": {"1": "satisfied", "0": "dissatisfied"}},
                   "exits": {"next": "bye"}},
                  {"id": "sorry", "type": "play", "settings": {"prompt": {"text": "No agent could take your call."}},
                   "exits": {"next": "bye"}},
                  {"id": "bye", "type": "end", "settings": {"prompt": {"text": "Goodbye."}}}
                ]}""".formatted(System.currentTimeMillis());
        String flowId = send("POST", ivr + "/api/v1/flows/import", token, Json.MAPPER.readTree(flow), 201).get("id").asText();
        send("POST", ivr + "/api/v1/flows/" + flowId + "/versions", token, null, 201);
        String number = "4" + (100 + (int) (Math.random() * 800));
        send("PUT", ivr + "/api/v1/numbers/" + number, token, Json.MAPPER.createObjectNode().put("flowId", flowId), 200);

        // the demo agent logs in (out and in again: a fresh READY for routing's longest-idle order)
        JsonNode found = get(agents + "/api/v1/agents?staffNumber=A1001", token).get("items");
        check(found.size() == 1, "the demo agent A1001 is there");
        String agentId = found.get(0).get("id").asText();
        send("POST", agents + "/api/v1/agents/" + agentId + "/state", agentToken,
                Json.MAPPER.readTree("{\"state\": \"OFFLINE\"}"), 200);
        send("POST", agents + "/api/v1/agents/" + agentId + "/state", agentToken,
                Json.MAPPER.readTree("{\"state\": \"READY\"}"), 200);

        String caller = "1391" + (1_000_000 + (int) (Math.random() * 8_999_999));
        String script = """
                {"from": "%s", "to": "%s", "steps": [
                  {"awaitAgent": true, "timeoutMs": 30000},
                  {"awaitPrompt": "satisfied", "timeoutMs": 60000},
                  {"press": "1"},
                  {"awaitEnd": true, "timeoutMs": 30000}
                ]}""".formatted(caller, number);
        String pbxCall = send("POST", pbx + "/calls", null, Json.MAPPER.readTree(script), 201).get("id").asText();
        System.out.println("call " + pbxCall + " from " + caller + " to " + number);
        await(Duration.ofSeconds(90), "the call to end", () -> transcript(pbx, pbxCall).hasNonNull("endedAt"));

        JsonNode t = transcript(pbx, pbxCall);
        List<String> prompts = prompts(pbx, pbxCall);
        check("AGENT".equals(t.get("result").asText()), "the caller reached an agent (" + t.get("result") + ", "
                + t.get("error") + ")");
        check(t.get("bridged").asBoolean(), "bridged with the agent");
        check(count(prompts, "satisfied") == 1 && count(prompts, "Goodbye") == 1, "the survey after the agent, then goodbye");
        check("1".equals(t.get("keysSent").asText()), "the caller pressed 1");

        JsonNode records = get(ivr + "/api/v1/call-records?number=" + caller, token).get("items");
        check(records.size() == 1, "one call record for the caller");
        String callId = records.get(0).get("callId").asText();
        await(Duration.ofSeconds(20), "the call record to close", () ->
                get(ivr + "/api/v1/call-records/" + callId, token).hasNonNull("endStatus"));
        JsonNode r = get(ivr + "/api/v1/call-records/" + callId, token);
        check("AGENT_ANSWERED".equals(r.get("endStatus").asText()), "record: AGENT_ANSWERED (" + r.get("endStatus") + ")");
        check(agentId.equals(r.path("agents").path(0).path("agentId").asText())
                && "pre-sales".equals(r.path("skillGroup").asText()), "record: the agent and the skill group");
        check("satisfied".equals(r.path("satisfactionLabel").asText()), "record: the satisfaction label");

        // agent-service: offered, on the call, after-call work (the group's 10 s), ready again
        await(Duration.ofSeconds(30), "the agent to be ready again", () ->
                "READY".equals(get(agents + "/api/v1/agents/" + agentId + "/state", token).get("state").asText()));
        List<String> states = new ArrayList<>(); // from the offer of this call to now
        for (JsonNode i : get(agents + "/api/v1/agents/" + agentId + "/states?size=10", token).get("items")) {
            states.add(0, i.get("state").asText());
            if ("CALL_OFFERED".equals(i.get("cause").asText()) && callId.equals(i.path("callId").asText())) {
                break;
            }
        }
        check(states.equals(List.of("RINGING", "BUSY", "AFTER_CALL_WORK", "READY")),
                "agent: RINGING, BUSY, AFTER_CALL_WORK, READY (" + states + ")");
        await(Duration.ofSeconds(20), "the satisfaction record", () -> get(agents + "/api/v1/satisfaction-records?agentId="
                + URLEncoder.encode(agentId, StandardCharsets.UTF_8), token).get("items").findValues("callId").stream()
                .anyMatch(c -> callId.equals(c.asText())));
        JsonNode s = get(agents + "/api/v1/satisfaction-records/" + callId, token);
        check("satisfied".equals(s.get("label").asText()) && "A1001".equals(s.get("staffNumber").asText())
                && "pre-sales".equals(s.get("skillGroup").asText()), "satisfaction record: satisfied, A1001, pre-sales");
        finish("agent-call");
    }

    private AgentCallSystemTest() {
    }
}
