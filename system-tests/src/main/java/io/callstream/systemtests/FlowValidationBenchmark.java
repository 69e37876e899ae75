package io.callstream.systemtests;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.callstream.contracts.Json;
import io.callstream.ivr.flow.FlowDocument;
import io.callstream.ivr.flow.FlowError;
import io.callstream.ivr.flow.FlowKind;
import io.callstream.ivr.flow.FlowValidator;
import io.callstream.ivr.flow.NodeDocument;
import io.callstream.servicekit.net.UrlPolicy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How long ivr-service takes to validate a 500-node flow (target: under 50 ms). The flow is a chain of
 * 125 blocks — a prompt, a key menu whose 2 loops back, a condition with a regex, a variable — so every
 * graph rule (reachability, a way to end, loops needing input) has real work. Prints percentiles of
 * single validations after a warm-up.
 *   java -cp … io.callstream.systemtests.FlowValidationBenchmark [runs]
 */
public final class FlowValidationBenchmark {
    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        FlowDocument flow = flow(125);
        FlowValidator validator = new FlowValidator(UrlPolicy.denyPrivate());
        long coldStart = System.nanoTime();
        List<FlowError> errors = validator.validate(flow);
        long cold = System.nanoTime() - coldStart;
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the benchmark flow is invalid: " + errors.subList(0, Math.min(5, errors.size())));
        }
        for (int i = 0; i < 500; i++) {
            validator.validate(flow); // warm-up: let the JIT compile the validator
        }
        long[] nanos = new long[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            validator.validate(flow);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("validated a %d-node flow %d times (after 500 warm-up runs), %s%n", flow.nodes().size(), runs,
                Runtime.version());
        System.out.printf("  first (cold) run %.1f ms; then p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", cold / 1e6,
                nanos[runs / 2] / 1e6, nanos[(int) (runs * 0.99)] / 1e6, nanos[runs - 1] / 1e6);
    }

    static FlowDocument flow(int blocks) {
        List<NodeDocument> nodes = new ArrayList<>();
        nodes.add(node("start", "start", null, Map.of("next", "play0")));
        for (int b = 0; b < blocks; b++) {
            String next = b == blocks - 1 ? "end" : "play" + (b + 1);
            ObjectNode play = Json.MAPPER.createObjectNode();
            play.putObject("prompt").put("text", "Step " + b + " for ${sys.callerNumber}, order ${orderid}");
            nodes.add(node("play" + b, "play", play, Map.of("next", "menu" + b)));

            ObjectNode menu = Json.MAPPER.createObjectNode();
            menu.putObject("prompt").put("text", "Press 1 to go on, 2 to hear it again");
            menu.put("maxErrors", 3);
            Map<String, String> menuExits = new LinkedHashMap<>();
            menuExits.put("1", "check" + b);
            menuExits.put("2", "play" + b);
            nodes.add(node("menu" + b, "keyMenu", menu, menuExits));

            ObjectNode check = Json.MAPPER.createObjectNode();
            ObjectNode condition = check.putArray("conditions").addObject();
            condition.put("variable", "orderid").put("operator", "MATCHES").put("value", "[0-9]{6,12}").put("exit", "ok");
            nodes.add(node("check" + b, "condition", check, Map.of("ok", "set" + b, "default", "set" + b)));

            ObjectNode set = Json.MAPPER.createObjectNode();
            set.putObject("assignments").put("step", String.valueOf(b)).put("last", "${orderid}");
            nodes.add(node("set" + b, "setVariable", set, Map.of("next", next)));
        }
        nodes.add(node("end", "end", null, null));
        return new FlowDocument("Benchmark", FlowKind.INBOUND, null, nodes);
    }

    private static NodeDocument node(String id, String type, ObjectNode settings, Map<String, String> exits) {
        return new NodeDocument(id, type, id, settings, exits);
    }

    private FlowValidationBenchmark() {
    }
}
