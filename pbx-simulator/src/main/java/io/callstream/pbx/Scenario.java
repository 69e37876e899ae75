package io.callstream.pbx;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A scenario file (YAML or JSON): agents, callees, callers and an optional load section. See the
 * module README for the format.
 */
final class Scenario {
    /** {@code count} callers from one script, {@code spacing} apart. */
    record CallerGroup(CallerScript script, int count, Duration spacing) {
    }

    final Long promptDurationMs;
    final Long stepTimeoutMs;
    final Map<String, AgentBehavior> agents;
    final Map<String, CalleeBehavior> callees;
    final List<CallerGroup> callers;
    final LoadProfile load;
    final CallerScript loadCaller;

    private Scenario(Long promptDurationMs, Long stepTimeoutMs, Map<String, AgentBehavior> agents,
                     Map<String, CalleeBehavior> callees, List<CallerGroup> callers, LoadProfile load,
                     CallerScript loadCaller) {
        this.promptDurationMs = promptDurationMs;
        this.stepTimeoutMs = stepTimeoutMs;
        this.agents = agents;
        this.callees = callees;
        this.callers = callers;
        this.load = load;
        this.loadCaller = loadCaller;
    }

    static Scenario read(Path file) throws IOException {
        JsonNode root = Json.YAML.readTree(Files.readAllBytes(file));
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": a scenario is a mapping (agents, callees, callers, load)");
        }
        try {
            return parse(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static Scenario parse(JsonNode root) {
        known(root, "scenario", Set.of("promptDurationMs", "stepTimeoutMs", "agents", "callees", "callers", "load", "name",
                "description"));
        Map<String, AgentBehavior> agents = new LinkedHashMap<>();
        for (JsonNode a : array(root, "agents")) {
            known(a, "agent", Set.of("endpoint", "behavior", "ringMs", "talkMs"));
            String endpoint = text(a, "endpoint", null);
            if (endpoint == null) {
                throw new IllegalArgumentException("an agent needs an endpoint (PJSIP/1001)");
            }
            agents.put(endpoint, agent(a));
        }
        Map<String, CalleeBehavior> callees = new LinkedHashMap<>();
        for (JsonNode c : array(root, "callees")) {
            String number = text(c, "number", null);
            if (number == null) {
                throw new IllegalArgumentException("a callee needs a number");
            }
            callees.put(number, callee(c));
        }
        List<CallerGroup> callers = new ArrayList<>();
        for (JsonNode c : array(root, "callers")) {
            CallerScript script = caller(c);
            int count = (int) number(c, "count", 1);
            if (count < 1) {
                throw new IllegalArgumentException("caller count must be at least 1");
            }
            callers.add(new CallerGroup(script, count, Duration.ofMillis(number(c, "spacingMs", 0))));
        }
        LoadProfile load = null;
        CallerScript loadCaller = null;
        JsonNode l = root.get("load");
        if (l != null && !l.isNull()) {
            known(l, "load", Set.of("concurrency", "callsPerSecond", "durationSeconds", "maxCalls", "drainSeconds", "caller"));
            if (l.get("caller") == null) {
                throw new IllegalArgumentException("load needs a caller template");
            }
            loadCaller = caller(l.get("caller"));
            load = new LoadProfile((int) number(l, "concurrency", 10), decimal(l, "callsPerSecond", 1.0),
                    Duration.ofMillis((long) (decimal(l, "durationSeconds", 10) * 1000)), (int) number(l, "maxCalls", 1000),
                    Duration.ofMillis((long) (decimal(l, "drainSeconds", 60) * 1000)));
        }
        Long prompt = root.has("promptDurationMs") ? number(root, "promptDurationMs", 50) : null;
        Long step = root.has("stepTimeoutMs") ? number(root, "stepTimeoutMs", 30_000) : null;
        return new Scenario(prompt, step, agents, callees, callers, load, loadCaller);
    }

    /** A caller: {@code from}, {@code to}, optional {@code name}, {@code steps}. */
    static CallerScript caller(JsonNode c) {
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException("a caller is a mapping with from, to and steps");
        }
        known(c, "caller", Set.of("from", "to", "name", "steps", "count", "spacingMs"));
        String from = text(c, "from", null);
        String to = text(c, "to", null);
        if (from == null || to == null) {
            throw new IllegalArgumentException("a caller needs from and to");
        }
        CallerScript script = CallerScript.from(from).to(to);
        String name = text(c, "name", null);
        if (name != null) {
            script = script.name(name);
        }
        return script.then(steps(c.get("steps")).toArray(Step[]::new));
    }

    static List<Step> steps(JsonNode array) {
        List<Step> steps = new ArrayList<>();
        if (array == null || array.isNull()) {
            return steps;
        }
        if (!array.isArray()) {
            throw new IllegalArgumentException("steps is a list");
        }
        for (JsonNode s : array) {
            steps.add(step(s));
        }
        return steps;
    }

    private static Step step(JsonNode s) {
        if (s.isTextual()) {
            // bare words: hangup, awaitAgent, awaitEnd
            return switch (s.asText()) {
                case "hangup" -> new Step.Hangup();
                case "awaitAgent" -> new Step.AwaitAgent(null);
                case "awaitEnd" -> new Step.AwaitEnd(null);
                default -> throw new IllegalArgumentException("unknown step '" + s.asText() + "'");
            };
        }
        if (!s.isObject()) {
            throw new IllegalArgumentException("a step is a mapping such as {press: \"1\"}");
        }
        Duration timeout = s.has("timeoutMs") ? Duration.ofMillis(number(s, "timeoutMs", 0)) : null;
        if (s.has("awaitPrompt")) {
            known(s, "awaitPrompt step", Set.of("awaitPrompt", "timeoutMs"));
            return new Step.AwaitPrompt(s.get("awaitPrompt").asText(), timeout);
        }
        if (s.has("press")) {
            known(s, "press step", Set.of("press", "delayMs"));
            return new Step.Press(s.get("press").asText(),
                    s.has("delayMs") ? Duration.ofMillis(number(s, "delayMs", 0)) : CallerScript.DEFAULT_KEY_DELAY);
        }
        if (s.has("say")) {
            known(s, "say step", Set.of("say"));
            return new Step.Say(s.get("say").asText());
        }
        if (s.has("waitMs")) {
            known(s, "waitMs step", Set.of("waitMs"));
            return new Step.Pause(Duration.ofMillis(number(s, "waitMs", 0)));
        }
        if (s.has("hangup")) {
            known(s, "hangup step", Set.of("hangup"));
            return new Step.Hangup();
        }
        if (s.has("abandonAfterMs")) {
            known(s, "abandonAfterMs step", Set.of("abandonAfterMs"));
            return new Step.AbandonAfter(Duration.ofMillis(number(s, "abandonAfterMs", 0)));
        }
        if (s.has("awaitAgent")) {
            known(s, "awaitAgent step", Set.of("awaitAgent", "timeoutMs"));
            return new Step.AwaitAgent(timeout);
        }
        if (s.has("awaitEnd")) {
            known(s, "awaitEnd step", Set.of("awaitEnd", "timeoutMs"));
            return new Step.AwaitEnd(timeout);
        }
        throw new IllegalArgumentException("unknown step " + s + " (awaitPrompt, press, say, waitMs, hangup, "
                + "abandonAfterMs, awaitAgent, awaitEnd)");
    }

    private static AgentBehavior agent(JsonNode a) {
        String behavior = text(a, "behavior", "answer").toLowerCase(Locale.ROOT);
        AgentBehavior b = switch (behavior) {
            case "answer" -> AgentBehavior.answerAfter(Duration.ofMillis(number(a, "ringMs", 1000)));
            case "noanswer" -> AgentBehavior.noAnswer();
            case "busy" -> AgentBehavior.busy();
            case "unavailable" -> AgentBehavior.unavailable();
            default -> throw new IllegalArgumentException("agent behavior is answer, noAnswer, busy or unavailable, not " + behavior);
        };
        if (!behavior.equals("answer") && a.has("ringMs")) {
            b = b.afterRinging(Duration.ofMillis(number(a, "ringMs", 0)));
        }
        return a.has("talkMs") ? b.talkFor(Duration.ofMillis(number(a, "talkMs", 0))) : b;
    }

    /**
     * A callee: {@code number} (optional here), {@code behavior}, {@code ringMs}, {@code talkMs}, {@code steps},
     * and {@code nextCalls}: behaviours in the same format (without number) for the calls after the first.
     */
    static CalleeBehavior callee(JsonNode c) {
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException("a callee is a mapping with number, behavior, ringMs, talkMs, steps, nextCalls");
        }
        known(c, "callee", Set.of("number", "behavior", "ringMs", "talkMs", "steps", "nextCalls"));
        CalleeBehavior first = oneCallee(c);
        JsonNode next = c.get("nextCalls");
        if (next == null || next.isNull()) {
            return first;
        }
        if (!next.isArray()) {
            throw new IllegalArgumentException("nextCalls is a list");
        }
        List<CalleeBehavior> later = new ArrayList<>();
        int i = 0;
        for (JsonNode n : next) {
            if (!n.isObject()) {
                throw new IllegalArgumentException("nextCalls[" + i + "] is a mapping such as {behavior: answer}");
            }
            try {
                known(n, "callee", Set.of("behavior", "ringMs", "talkMs", "steps"));
                later.add(oneCallee(n));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("nextCalls[" + i + "]: " + e.getMessage(), e);
            }
            i++;
        }
        return first.followedBy(later.toArray(CalleeBehavior[]::new));
    }

    private static CalleeBehavior oneCallee(JsonNode c) {
        String behavior = text(c, "behavior", "answer").toLowerCase(Locale.ROOT);
        CalleeBehavior b = switch (behavior) {
            case "answer" -> CalleeBehavior.answerAfter(Duration.ofMillis(number(c, "ringMs", 1000)));
            case "busy" -> CalleeBehavior.busy();
            case "noanswer" -> CalleeBehavior.noAnswer();
            case "reject" -> CalleeBehavior.reject();
            case "failed" -> CalleeBehavior.failed();
            case "congestion" -> CalleeBehavior.congestion();
            default -> throw new IllegalArgumentException(
                    "callee behavior is answer, busy, noAnswer, reject, failed or congestion, not " + behavior);
        };
        if (!behavior.equals("answer") && c.has("ringMs")) {
            b = b.afterRinging(Duration.ofMillis(number(c, "ringMs", 0)));
        }
        if (c.has("talkMs")) {
            b = b.talkFor(Duration.ofMillis(number(c, "talkMs", 0)));
        }
        return b.then(steps(c.get("steps")).toArray(Step[]::new));
    }

    /** Registers the scenario's agents and callees. */
    void register(PbxSimulator sim) {
        agents.forEach(sim::agent);
        callees.forEach(sim::callee);
    }

    /** The scenario's timing settings applied to a configuration. */
    SimulatorConfig apply(SimulatorConfig config) {
        SimulatorConfig c = config;
        if (promptDurationMs != null) {
            c = c.withPromptDuration(Duration.ofMillis(promptDurationMs));
        }
        if (stepTimeoutMs != null) {
            c = c.withStepTimeout(Duration.ofMillis(stepTimeoutMs));
        }
        return c;
    }

    private static Iterable<JsonNode> array(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(field + " is a list");
        }
        return n;
    }

    private static void known(JsonNode node, String what, Set<String> fields) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!fields.contains(f)) {
                throw new IllegalArgumentException("unknown field '" + f + "' in " + what + " (known: " + fields + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode n = node.get(field);
        return n == null || n.isNull() ? fallback : n.asText();
    }

    private static long number(JsonNode node, String field, long fallback) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber() && !(n.isTextual() && n.asText().matches("-?\\d+"))) {
            throw new IllegalArgumentException(field + " must be a whole number, not " + n);
        }
        return n.asLong();
    }

    private static double decimal(JsonNode node, String field, double fallback) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number, not " + n);
        }
        return n.asDouble();
    }
}
