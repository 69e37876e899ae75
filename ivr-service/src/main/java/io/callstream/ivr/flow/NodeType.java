package io.callstream.ivr.flow;

import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.servicekit.net.UrlPolicy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every node type of PRODUCT.md §1 with its settings and exits. {@link #check} validates a node's
 * settings and says which exits the node must and may have; "terminal" nodes (End, and transfers
 * after which the call may simply end) count as an end of the flow for the path rule.
 */
public enum NodeType {
    START("start", false) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            return Exits.of(Set.of("next"), Set.of(), false);
        }
    },
    END("end", false) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            s.prompt("prompt", false);
            return Exits.of(Set.of(), Set.of(), true);
        }
    },
    PLAY("play", false) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            s.prompt("prompt", true);
            s.bool("interruptible", false);
            s.integer("repeat", 1, 10, 1);
            return Exits.of(Set.of("next"), Set.of(), false);
        }
    },
    COLLECT_DIGITS("collectDigits", true) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            inputPrompts(s, "failurePrompt");
            s.variableName("variable", true);
            boolean max = s.has("maxDigits");
            boolean fixed = s.has("fixedLength");
            if (max == fixed) {
                s.error("maxDigits", "set exactly one of maxDigits (ended early by #) or fixedLength");
            }
            s.integer("maxDigits", 1, 32, null);
            s.integer("fixedLength", 1, 32, null);
            boolean star = s.bool("allowStar", false);
            String terminator = s.oneOf("terminator", Set.of("#", "*"), "#");
            if (s.has("terminator") && fixed) {
                s.error("terminator", "a fixed-length input completes without a terminator");
            }
            if (star && "*".equals(terminator)) {
                s.error("terminator", "'*' cannot end the input when allowStar lets it stand for a letter");
            }
            return Exits.of(Set.of("ok", "failed"), Set.of(), false);
        }
    },
    KEY_MENU("keyMenu", true) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            inputPrompts(s, "errorPrompt");
            s.variableName("variable", false);
            return menuExits(s, exits, keyExits(s, exits));
        }
    },
    SPEECH_MENU("speechMenu", true) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            inputPrompts(s, "errorPrompt");
            s.variableName("variable", false);
            s.string("language", false);
            Set<String> branches = new LinkedHashSet<>();
            for (Map.Entry<String, JsonNode> e : s.object("keywords", true)) {
                String field = "keywords." + e.getKey();
                JsonNode words = e.getValue();
                if (!words.isArray() || words.isEmpty()) {
                    s.error(field, "must be a non-empty list of keywords");
                    continue;
                }
                for (int i = 0; i < words.size(); i++) {
                    if (!words.get(i).isTextual() || words.get(i).asText().isBlank()) {
                        s.error(field + "[" + i + "]", "must be a non-empty string");
                    }
                }
                branches.add(e.getKey());
            }
            return menuExits(s, exits, branches);
        }
    },
    HTTP_CALL("httpCall", false) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            String url = s.template("url", true);
            if (url != null) {
                String refusal = urls.refusal(url);
                if (refusal != null) {
                    s.error("url", refusal);
                }
            }
            for (Map.Entry<String, JsonNode> e : s.object("headers", false)) {
                templateValue(s, "headers." + e.getKey(), e.getValue());
            }
            for (Map.Entry<String, JsonNode> e : s.object("body", false)) {
                templateValue(s, "body." + e.getKey(), e.getValue());
            }
            for (Map.Entry<String, JsonNode> e : s.object("outputs", false)) {
                String field = "outputs." + e.getKey();
                if (!SettingsReader.VARIABLE_NAME.matcher(e.getKey()).matches()) {
                    s.error(field, "'" + e.getKey() + "' is not a variable name");
                }
                JsonNode out = e.getValue();
                if (!out.isObject() || out.get("path") == null || !out.get("path").isTextual()
                        || out.get("path").asText().isBlank()) {
                    s.error(field, "must be an object with a reply path (e.g. {\"path\": \"data.type\", \"default\": \"normal\"})");
                    continue;
                }
                out.fieldNames().forEachRemaining(name -> {
                    if (!"path".equals(name) && !"default".equals(name)) {
                        s.error(field + "." + name, "unknown setting");
                    }
                });
                if (out.get("default") != null && !out.get("default").isValueNode()) {
                    s.error(field + ".default", "must be a string, number or boolean");
                }
            }
            s.integer("timeoutSeconds", 1, 30, 5);
            s.integer("maxErrors", 1, 5, 1);
            return Exits.of(Set.of("next"), Set.of(), false);
        }
    },
    CONDITION("condition", false) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            JsonNode list = s.raw("conditions");
            Set<String> branches = new LinkedHashSet<>();
            if (list == null || !list.isArray() || list.isEmpty()) {
                s.error("conditions", "must be a non-empty list");
            } else {
                for (int i = 0; i < list.size(); i++) {
                    Condition.Parsed parsed = Condition.parse(list.get(i));
                    for (String problem : parsed.problems()) {
                        s.error("conditions[" + i + "]." + problem.substring(0, Math.max(0, problem.indexOf(':'))),
                                problem.substring(problem.indexOf(':') + 1).trim());
                    }
                    if (parsed.condition() != null) {
                        branches.add(parsed.condition().exit());
                    }
                }
            }
            if (branches.contains("default")) {
                s.error("conditions", "'default' is the exit taken when no condition holds; name the condition's exit otherwise");
            }
            Set<String> required = new LinkedHashSet<>(branches);
            required.add("default");
            return Exits.of(required, Set.of(), false);
        }
    },
    SERVICE_HOURS("serviceHours", false) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            JsonNode all = s.whole();
            for (String problem : ServiceHours.parse(all).problems()) {
                int colon = problem.indexOf(':');
                s.error(colon > 0 ? problem.substring(0, colon) : "settings",
                        colon > 0 ? problem.substring(colon + 1).trim() : problem);
            }
            return Exits.of(Set.of("inHours", "outOfHours"), Set.of(), false);
        }
    },
    TRANSFER_TO_AGENT("transferToAgent", true) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            s.string("skillGroup", true);
            s.integer("priority", 0, 100, 0);
            s.integer("queueTimeoutSeconds", 10, 7200, 300);
            s.integer("maxQueueLength", 1, 100_000, null);
            s.string("holdMusic", false);
            s.prompt("announcement", false);
            s.integer("announceIntervalSeconds", 15, 600, 60);
            JsonNode pop = s.raw("screenPopVariables");
            if (pop != null) {
                if (!pop.isArray()) {
                    s.error("screenPopVariables", "must be a list of variable names");
                } else {
                    for (int i = 0; i < pop.size(); i++) {
                        if (!pop.get(i).isTextual() || !SettingsReader.VARIABLE_NAME.matcher(pop.get(i).asText()).matches()) {
                            s.error("screenPopVariables[" + i + "]", "must be a variable name");
                        }
                    }
                }
            }
            // without afterAgent the call ends when the agent's conversation does
            return Exits.of(Set.of("queueTimeout", "queueFull", "noAgent"), Set.of("afterAgent"), true);
        }
    },
    TRANSFER_EXTERNAL("transferExternal", true) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            s.prompt("holdPrompt", false);
            phone(s, "callerNumber", true);
            boolean fixed = s.has("number");
            boolean fetched = s.has("numberUrl");
            if (fixed == fetched) {
                s.error("number", "set exactly one of number (fixed) or numberUrl (fetched per call)");
            }
            if (fixed) {
                String number = s.template("number", false);
                if (number != null && Template.parse(number).isConstant() && !number.matches("\\+?[0-9]{2,20}")) {
                    s.error("number", "'" + number + "' is not a phone number");
                }
            }
            if (fetched) {
                String url = s.template("numberUrl", true);
                if (url != null && urls.refusal(url) != null) {
                    s.error("numberUrl", urls.refusal(url));
                }
                phone(s, "fallbackNumber", true);
            } else if (s.has("fallbackNumber")) {
                s.error("fallbackNumber", "only used with numberUrl");
            }
            s.integer("ringTimeoutSeconds", 5, 120, 30);
            s.integer("timeoutSeconds", 1, 10, 3);
            return Exits.of(Set.of("failed"), Set.of("afterCall"), true);
        }
    },
    TRANSFER_EXTENSION("transferExtension", true) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            inputPrompts(s, "errorPrompt");
            s.integer("extensionLength", 2, 8, 4);
            s.integer("ringTimeoutSeconds", 5, 120, 30);
            return Exits.of(Set.of("failed"), Set.of("afterCall"), true);
        }
    },
    SATISFACTION("satisfaction", true) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            inputPrompts(s, "errorPrompt");
            for (Map.Entry<String, JsonNode> e : s.object("options", true)) {
                if (!SettingsReader.DTMF_KEY.matcher(e.getKey()).matches()) {
                    s.error("options." + e.getKey(), "a key is one of 0-9, * or #");
                }
                if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                    s.error("options." + e.getKey(), "the label must be a non-empty string");
                }
            }
            s.variableName("keyVariable", false);
            s.variableName("labelVariable", false);
            return Exits.of(Set.of("next"), Set.of(), false);
        }
    },
    SET_VARIABLE("setVariable", false) {
        @Override
        Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls) {
            for (Map.Entry<String, JsonNode> e : s.object("assignments", true)) {
                String field = "assignments." + e.getKey();
                if (!SettingsReader.VARIABLE_NAME.matcher(e.getKey()).matches()) {
                    s.error(field, "'" + e.getKey() + "' is not a variable name");
                } else if (e.getKey().startsWith("sys.")) {
                    s.error(field, "system variables (sys.*) cannot be assigned");
                }
                templateValue(s, field, e.getValue());
            }
            return Exits.of(Set.of("next"), Set.of(), false);
        }
    };

    /** What a node's exits must be: each required one wired, the optional ones may be, nothing else. */
    record Exits(Set<String> required, Set<String> optional, boolean terminal) {
        static Exits of(Set<String> required, Set<String> optional, boolean terminal) {
            return new Exits(required, optional, terminal);
        }
    }

    private final String json;
    private final boolean input;

    NodeType(String json, boolean input) {
        this.json = json;
        this.input = input;
    }

    /** The name in flow documents ({@code "type": "keyMenu"}). */
    public String json() {
        return json;
    }

    /** Whether the node waits for the caller (or another party): a loop needs one of these. */
    public boolean input() {
        return input;
    }

    abstract Exits check(SettingsReader s, Map<String, String> exits, UrlPolicy urls);

    public static java.util.Optional<NodeType> byJson(String name) {
        for (NodeType t : values()) {
            if (t.json.equals(name)) {
                return java.util.Optional.of(t);
            }
        }
        return java.util.Optional.empty();
    }

    public static List<String> names() {
        return java.util.Arrays.stream(values()).map(NodeType::json).toList();
    }

    /** The settings every input node shares. */
    private static void inputPrompts(SettingsReader s, String errorPromptName) {
        s.prompt("prompt", true);
        s.prompt("timeoutPrompt", false);
        s.prompt(errorPromptName, false);
        s.integer("maxErrors", 1, 10, 3);
        s.integer("timeoutSeconds", 1, 60, 5);
    }

    private static Set<String> keyExits(SettingsReader s, Map<String, String> exits) {
        Set<String> keys = new LinkedHashSet<>();
        for (String name : exits.keySet()) {
            if (SettingsReader.DTMF_KEY.matcher(name).matches()) {
                keys.add(name);
            }
        }
        if (keys.isEmpty()) {
            s.error("exits", "a key menu needs at least one key (0-9, *, #) wired to a node");
        }
        return keys;
    }

    /** Menus: their branches, and "failed" when maxErrors leads to an exit rather than a hang-up. */
    private static Exits menuExits(SettingsReader s, Map<String, String> exits, Set<String> branches) {
        String onMaxErrors = s.oneOf("onMaxErrors", Set.of("hangup", "exit"), "hangup");
        Set<String> required = new LinkedHashSet<>(branches);
        if ("exit".equals(onMaxErrors)) {
            required.add("failed");
        }
        return Exits.of(required, Set.of(), "hangup".equals(onMaxErrors));
    }

    private static void templateValue(SettingsReader s, String field, JsonNode value) {
        if (value.isTextual()) {
            String problem = Template.problem(value.asText());
            if (problem != null) {
                s.error(field, problem);
            }
        } else if (!value.isValueNode() || value.isNull()) {
            s.error(field, "must be a string (may hold ${…}), number or boolean");
        }
    }

    private static void phone(SettingsReader s, String field, boolean required) {
        String number = s.string(field, required);
        if (number != null && !number.matches("\\+?[0-9]{2,20}")) {
            s.error(field, "'" + number + "' is not a phone number");
        }
    }
}
