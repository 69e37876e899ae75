package io.callstream.ivr.flow;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callstream.contracts.Json;
import io.callstream.servicekit.net.UrlPolicy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowValidatorTest {
    private final FlowValidator validator = new FlowValidator(UrlPolicy.denyPrivate());

    /** Every node type, each with its settings, wired into one valid flow. */
    static final String EVERY_NODE = """
            {"name": "Every node", "kind": "INBOUND", "nodes": [
              {"id": "start", "type": "start", "exits": {"next": "vars"}},
              {"id": "vars", "type": "setVariable", "settings": {"assignments": {"greeting": "Hello ${sys.callerNumber}", "tries": 0}},
               "exits": {"next": "hello"}},
              {"id": "hello", "type": "play", "settings": {"prompt": {"text": "${greeting}"}, "interruptible": true, "repeat": 2},
               "exits": {"next": "digits"}},
              {"id": "digits", "type": "collectDigits",
               "settings": {"prompt": {"audioFile": "enter-account"}, "timeoutPrompt": {"text": "Nothing?"},
                            "failurePrompt": {"text": "Sorry."}, "maxErrors": 3, "timeoutSeconds": 5,
                            "variable": "account", "fixedLength": 6, "allowStar": true},
               "exits": {"ok": "lookup", "failed": "menu"}},
              {"id": "lookup", "type": "httpCall",
               "settings": {"url": "https://crm.example.com/lookup?a=${account}", "headers": {"X-Tenant": "demo"},
                            "body": {"account": "${account}", "n": 1},
                            "outputs": {"tier": {"path": "customer.tier", "default": "basic"}},
                            "timeoutSeconds": 2, "maxErrors": 3},
               "exits": {"next": "tier"}},
              {"id": "tier", "type": "condition",
               "settings": {"conditions": [
                 {"variable": "tier", "operator": "EQUALS", "value": "gold", "exit": "gold"},
                 {"variable": "account", "operator": "MATCHES", "value": "9[0-9]+", "exit": "test"}]},
               "exits": {"gold": "hours", "test": "speech", "default": "menu"}},
              {"id": "menu", "type": "keyMenu",
               "settings": {"prompt": {"text": "1 sales, 2 extension, 9 again"}, "errorPrompt": {"text": "No such key."},
                            "onMaxErrors": "exit"},
               "exits": {"1": "hours", "2": "extension", "9": "menu", "failed": "bye"}},
              {"id": "speech", "type": "speechMenu",
               "settings": {"prompt": {"text": "Say billing or support"}, "keywords": {"billing": ["billing", "invoice"], "support": ["help"]},
                            "language": "en-US", "variable": "said"},
               "exits": {"billing": "hours", "support": "hours"}},
              {"id": "hours", "type": "serviceHours",
               "settings": {"timeZone": "Europe/Berlin", "weekdays": ["MON", "TUE", "WED", "THU", "FRI"],
                            "ranges": [{"from": "08:00", "to": "12:00"}, {"from": "13:00", "to": "17:00"}],
                            "holidays": ["2026-12-25"], "specialWorkdays": ["2026-12-27"]},
               "exits": {"inHours": "agents", "outOfHours": "duty"}},
              {"id": "agents", "type": "transferToAgent",
               "settings": {"skillGroup": "sales", "priority": 5, "queueTimeoutSeconds": 120, "maxQueueLength": 20,
                            "holdMusic": "default", "announcement": {"text": "You are number ${sys.queuePosition}."},
                            "announceIntervalSeconds": 30, "screenPopVariables": ["account", "tier"]},
               "exits": {"afterAgent": "survey", "queueTimeout": "duty", "queueFull": "duty", "noAgent": "duty"}},
              {"id": "survey", "type": "satisfaction",
               "settings": {"prompt": {"text": "1 good, 2 bad"}, "options": {"1": "satisfied", "2": "dissatisfied"},
                            "keyVariable": "rating", "labelVariable": "ratingLabel"},
               "exits": {"next": "bye"}},
              {"id": "duty", "type": "transferExternal",
               "settings": {"holdPrompt": {"text": "Please hold."}, "callerNumber": "4001",
                            "numberUrl": "https://crm.example.com/duty", "fallbackNumber": "13800000000", "ringTimeoutSeconds": 20},
               "exits": {"failed": "bye", "afterCall": "bye"}},
              {"id": "extension", "type": "transferExtension",
               "settings": {"prompt": {"text": "Enter the extension"}, "extensionLength": 4},
               "exits": {"failed": "bye"}},
              {"id": "bye", "type": "end", "settings": {"prompt": {"text": "Goodbye"}}}
            ]}
            """;

    @Test
    void aFlowWithEveryNodeTypeAndTheShippedDemoFlowsAreValid() throws IOException {
        FlowDocument every = parse(EVERY_NODE);
        assertEquals(List.of(), validator.validate(every));
        assertEquals(Set.copyOf(NodeType.names()), every.nodes().stream().map(NodeDocument::type).collect(Collectors.toSet()),
                "the flow really has every node type");
        for (String demo : List.of("inbound-order-line.json", "outbound-renewal-reminder.json")) {
            try (InputStream in = getClass().getResourceAsStream("/flows/" + demo)) {
                assertEquals(List.of(), validator.validate(Json.MAPPER.readValue(in, FlowDocument.class)), demo);
            }
        }
    }

    @Test
    void noStartOrSeveralStartsAreRefused() {
        assertHas(validate(EVERY_NODE.replace("\"type\": \"start\"", "\"type\": \"play\"")), null, "nodes", "no Start node");
        String twoStarts = EVERY_NODE.replace("{\"id\": \"bye\", \"type\": \"end\", \"settings\": {\"prompt\": {\"text\": \"Goodbye\"}}}",
                "{\"id\": \"bye\", \"type\": \"end\"}, {\"id\": \"start2\", \"type\": \"start\", \"exits\": {\"next\": \"bye\"}}");
        assertHas(validate(twoStarts), "start2", "type", "a second Start node");
    }

    @Test
    void exitsWiredToNothingOrToAMissingNodeOrNotWiredAreRefused() {
        assertHas(validate(EVERY_NODE.replace("\"ok\": \"lookup\"", "\"ok\": \"nowhere\"")), "digits", "exits.ok",
                "leads to node 'nowhere', which does not exist");
        assertHas(validate(EVERY_NODE.replace("\"ok\": \"lookup\"", "\"ok\": \"\"")), "digits", "exits.ok", "wired to nothing");
        assertHas(validate(EVERY_NODE.replace("\"ok\": \"lookup\", ", "")), "digits", "exits.ok", "not wired");
        assertHas(validate(EVERY_NODE.replace("\"exits\": {\"next\": \"tier\"}", "\"exits\": {\"next\": \"tier\", \"maybe\": \"bye\"}")),
                "lookup", "exits.maybe", "has no exit 'maybe'");
    }

    @Test
    void aNodeUnreachableFromStartIsRefused() {
        String island = EVERY_NODE.replace("{\"id\": \"bye\", \"type\": \"end\",",
                "{\"id\": \"island\", \"type\": \"play\", \"settings\": {\"prompt\": {\"text\": \"lost\"}}, \"exits\": {\"next\": \"bye\"}},"
                        + " {\"id\": \"bye\", \"type\": \"end\",");
        assertHas(validate(island), "island", "id", "unreachable");
    }

    @Test
    void aPathThatCanNeverEndAndALoopThatNeverWaitsAreRefused() {
        String flow = """
                {"name": "Loops", "kind": "INBOUND", "nodes": [
                  {"id": "start", "type": "start", "exits": {"next": "a"}},
                  {"id": "a", "type": "play", "settings": {"prompt": {"text": "a"}}, "exits": {"next": "b"}},
                  {"id": "b", "type": "setVariable", "settings": {"assignments": {"x": "1"}}, "exits": {"next": "a"}}
                ]}""";
        List<FlowError> errors = validate(flow);
        assertHas(errors, "a", "exits", "no path from this node reaches an End");
        assertHas(errors, "a", "exits", "the loop a → b → a has no node that waits for the caller");

        // the same loop through a key menu waits for the caller, and its failure exit ends the call
        String waiting = """
                {"name": "Menu loop", "kind": "INBOUND", "nodes": [
                  {"id": "start", "type": "start", "exits": {"next": "menu"}},
                  {"id": "menu", "type": "keyMenu", "settings": {"prompt": {"text": "9 to hear again"}}, "exits": {"9": "again"}},
                  {"id": "again", "type": "play", "settings": {"prompt": {"text": "again"}}, "exits": {"next": "menu"}}
                ]}""";
        assertEquals(List.of(), validate(waiting), "onMaxErrors hangup ends the call: the menu may loop");
    }

    @Test
    void unknownTypesAndSettingsAreRefusedWithTheirNode() {
        assertHas(validate(EVERY_NODE.replace("\"type\": \"setVariable\"", "\"type\": \"setVar\"")), "vars", "type",
                "unknown node type 'setVar'");
        assertHas(validate(EVERY_NODE.replace("\"interruptible\": true", "\"interuptible\": true")), "hello", "interuptible",
                "unknown setting");
        assertHas(validate(EVERY_NODE.replace("\"repeat\": 2", "\"repeat\": 0")), "hello", "repeat", "out of range");
        assertHas(validate(EVERY_NODE.replace("\"fixedLength\": 6,", "")), "digits", "maxDigits", "set exactly one");
        assertHas(validate(EVERY_NODE.replace("\"prompt\": {\"audioFile\": \"enter-account\"}", "\"prompt\": {\"text\": \"x\", \"audioFile\": \"y\"}")),
                "digits", "prompt", "exactly one of text or audioFile");
    }

    @Test
    void badRegexesTimeZonesPromptsTemplatesAndForbiddenUrlsAreRefused() {
        assertHas(validate(EVERY_NODE.replace("9[0-9]+", "9[0-9+")), "tier", "conditions[1].value", "");
        assertHas(validate(EVERY_NODE.replace("Europe/Berlin", "Mars/Olympus")), "hours", "timeZone", "Mars/Olympus");
        assertHas(validate(EVERY_NODE.replace("{\"text\": \"Nothing?\"}", "{\"text\": \"  \"}")), "digits", "timeoutPrompt.text",
                "the prompt is empty");
        assertHas(validate(EVERY_NODE.replace("Hello ${sys.callerNumber}", "Hello ${sys.callerNumber")), "vars",
                "assignments.greeting", "unclosed");
        assertHas(validate(EVERY_NODE.replace("https://crm.example.com/lookup?a=${account}", "http://169.254.169.254/latest/meta-data")),
                "lookup", "url", "metadata");
        assertHas(validate(EVERY_NODE.replace("https://crm.example.com/duty", "http://10.0.0.8/duty")), "duty", "numberUrl", "private");
    }

    @Test
    void everyErrorIsReportedNotOnlyTheFirst() {
        String flow = EVERY_NODE.replace("Europe/Berlin", "Mars/Olympus").replace("\"repeat\": 2", "\"repeat\": 99")
                .replace("\"extensionLength\": 4", "\"extensionLength\": 4, \"colour\": \"red\"");
        List<FlowError> errors = validate(flow);
        assertHas(errors, "hours", "timeZone", "");
        assertHas(errors, "hello", "repeat", "");
        assertHas(errors, "extension", "colour", "unknown setting");
    }

    @Test
    void aFiveHundredNodeFlowIsValidated() {
        List<NodeDocument> nodes = new ArrayList<>(parse(EVERY_NODE).nodes());
        // a chain of 490 plays in front of the flow
        nodes.set(0, new NodeDocument("start", "start", null, null, java.util.Map.of("next", "p0")));
        for (int i = 0; i < 490; i++) {
            ObjectNode settings = Json.MAPPER.createObjectNode();
            settings.putObject("prompt").put("text", "step " + i + " for ${sys.callerNumber}");
            nodes.add(new NodeDocument("p" + i, "play", "Step " + i, settings,
                    java.util.Map.of("next", i == 489 ? "vars" : "p" + (i + 1))));
        }
        FlowDocument big = new FlowDocument("Big", FlowKind.INBOUND, null, nodes);
        assertTrue(big.nodes().size() >= 500);
        assertEquals(List.of(), validator.validate(big));
    }

    private List<FlowError> validate(String json) {
        return validator.validate(parse(json));
    }

    static FlowDocument parse(String json) {
        try {
            return Json.MAPPER.readValue(json, FlowDocument.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void assertHas(List<FlowError> errors, String node, String field, String messagePart) {
        assertTrue(errors.stream().anyMatch(e -> java.util.Objects.equals(e.node(), node) && e.field().equals(field)
                        && e.message().contains(messagePart)),
                "expected an error at node " + node + ", field " + field + " containing '" + messagePart + "'; got " + errors);
    }
}
