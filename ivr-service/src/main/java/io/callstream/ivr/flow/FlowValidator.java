package io.callstream.ivr.flow;

import io.callstream.servicekit.net.UrlPolicy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a flow document and reports everything wrong with it, each error naming its node and field:
 * the flow's own fields, every node's settings (per {@link NodeType}), its exits, and the graph —
 * exactly one Start, every node reachable from it, every path able to end, and no loop that never
 * waits for the caller.
 */
public final class FlowValidator {
    static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    public static final int MAX_NODES = 2000;

    private final UrlPolicy urls;

    public FlowValidator(UrlPolicy urls) {
        this.urls = urls;
    }

    public List<FlowError> validate(FlowDocument flow) {
        List<FlowError> errors = new ArrayList<>();
        if (flow == null) {
            errors.add(new FlowError(null, "", "the flow is empty"));
            return errors;
        }
        if (flow.name() == null || flow.name().isBlank()) {
            errors.add(new FlowError(null, "name", "required"));
        } else if (flow.name().length() > 100) {
            errors.add(new FlowError(null, "name", "at most 100 characters"));
        }
        if (flow.kind() == null) {
            errors.add(new FlowError(null, "kind", "required: INBOUND or OUTBOUND"));
        }
        if (flow.description() != null && flow.description().length() > 2000) {
            errors.add(new FlowError(null, "description", "at most 2000 characters"));
        }
        List<NodeDocument> nodes = flow.nodes() == null ? List.of() : flow.nodes();
        if (nodes.isEmpty()) {
            errors.add(new FlowError(null, "nodes", "a flow needs nodes, starting with one Start"));
            return errors;
        }
        if (nodes.size() > MAX_NODES) {
            errors.add(new FlowError(null, "nodes", "at most " + MAX_NODES + " nodes"));
            return errors;
        }

        Map<String, NodeDocument> byId = new LinkedHashMap<>();
        Map<String, NodeType.Exits> exitSpecs = new HashMap<>();
        List<String> starts = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeDocument n = nodes.get(i);
            if (n == null) {
                errors.add(new FlowError(null, "nodes[" + i + "]", "empty node"));
                continue;
            }
            String id = n.id();
            if (id == null || !NODE_ID.matcher(id).matches()) {
                errors.add(new FlowError(id, "nodes[" + i + "].id", id == null ? "required"
                        : "'" + id + "' is not a node id (letters, digits, _ and -, at most 64)"));
                continue;
            }
            if (byId.putIfAbsent(id, n) != null) {
                errors.add(new FlowError(id, "id", "another node has the id '" + id + "'"));
                continue;
            }
            if (n.label() != null && n.label().length() > 100) {
                errors.add(new FlowError(id, "label", "at most 100 characters"));
            }
            var type = NodeType.byJson(n.type());
            if (type.isEmpty()) {
                errors.add(new FlowError(id, "type", n.type() == null ? "required"
                        : "unknown node type '" + n.type() + "'; one of " + String.join(", ", NodeType.names())));
                continue;
            }
            if (type.get() == NodeType.START) {
                starts.add(id);
            }
            Map<String, String> exits = n.exits() == null ? Map.of() : n.exits();
            SettingsReader settings = new SettingsReader(id, n.settings(), errors);
            NodeType.Exits spec = type.get().check(settings, exits, urls);
            settings.finish();
            exitSpecs.put(id, spec);
        }
        if (starts.isEmpty()) {
            errors.add(new FlowError(null, "nodes", "no Start node: a flow begins with exactly one"));
        } else if (starts.size() > 1) {
            for (String extra : starts.subList(1, starts.size())) {
                errors.add(new FlowError(extra, "type", "a second Start node (the first is " + starts.get(0) + ")"));
            }
        }

        // graph rules only on a well-formed graph: a broken wire would make them report nonsense
        int wiringErrorsBefore = errors.size();
        boolean nodesWellFormed = byId.size() == nodes.size() && exitSpecs.size() == byId.size();
        Map<String, List<String>> edges = new HashMap<>();
        for (NodeDocument n : byId.values()) {
            NodeType.Exits spec = exitSpecs.get(n.id());
            if (spec == null) {
                continue;
            }
            Map<String, String> exits = n.exits() == null ? Map.of() : n.exits();
            List<String> targets = new ArrayList<>();
            for (Map.Entry<String, String> e : exits.entrySet()) {
                String field = "exits." + e.getKey();
                if (!spec.required().contains(e.getKey()) && !spec.optional().contains(e.getKey())) {
                    errors.add(new FlowError(n.id(), field, "a " + n.type() + " node has no exit '" + e.getKey() + "'"
                            + (spec.required().isEmpty() && spec.optional().isEmpty() ? " (it has no exits)"
                            : "; its exits: " + String.join(", ", union(spec)))));
                    continue;
                }
                String target = e.getValue();
                if (target == null || target.isBlank()) {
                    errors.add(new FlowError(n.id(), field, "wired to nothing"));
                } else if (!byId.containsKey(target)) {
                    errors.add(new FlowError(n.id(), field, "leads to node '" + target + "', which does not exist"));
                } else {
                    targets.add(target);
                }
            }
            for (String required : spec.required()) {
                if (!exits.containsKey(required)) {
                    errors.add(new FlowError(n.id(), "exits." + required, "not wired to a node"));
                }
            }
            edges.put(n.id(), targets);
        }
        if (starts.size() == 1 && nodesWellFormed && errors.size() == wiringErrorsBefore) {
            graphRules(starts.get(0), byId, exitSpecs, edges, errors);
        }
        return errors;
    }

    private static void graphRules(String start, Map<String, NodeDocument> byId, Map<String, NodeType.Exits> specs,
                                   Map<String, List<String>> edges, List<FlowError> errors) {
        Set<String> reachable = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(start);
        reachable.add(start);
        while (!todo.isEmpty()) {
            for (String next : edges.getOrDefault(todo.poll(), List.of())) {
                if (reachable.add(next)) {
                    todo.add(next);
                }
            }
        }
        for (String id : byId.keySet()) {
            if (!reachable.contains(id)) {
                errors.add(new FlowError(id, "id", "unreachable: no path from Start leads here"));
            }
        }

        // which nodes can end the call: terminal nodes, and everything with a path to one
        Map<String, List<String>> reverse = new HashMap<>();
        edges.forEach((from, tos) -> tos.forEach(to -> reverse.computeIfAbsent(to, k -> new ArrayList<>()).add(from)));
        Set<String> canEnd = new HashSet<>();
        for (Map.Entry<String, NodeType.Exits> e : specs.entrySet()) {
            if (e.getValue().terminal()) {
                canEnd.add(e.getKey());
                todo.add(e.getKey());
            }
        }
        while (!todo.isEmpty()) {
            for (String prev : reverse.getOrDefault(todo.poll(), List.of())) {
                if (canEnd.add(prev)) {
                    todo.add(prev);
                }
            }
        }
        for (String id : byId.keySet()) {
            if (reachable.contains(id) && !canEnd.contains(id)) {
                errors.add(new FlowError(id, "exits", "no path from this node reaches an End"));
            }
        }

        for (List<String> loop : new Loops(byId.keySet(), edges).find()) {
            boolean waits = loop.stream().anyMatch(id -> NodeType.byJson(byId.get(id).type()).map(NodeType::input).orElse(false));
            if (!waits) {
                errors.add(new FlowError(loop.get(0), "exits", "the loop " + String.join(" → ", loop) + " → " + loop.get(0)
                        + " has no node that waits for the caller, so it would repeat without end"));
            }
        }
    }

    private static List<String> union(NodeType.Exits spec) {
        List<String> all = new ArrayList<>(spec.required());
        all.addAll(spec.optional());
        return all;
    }

    /** Strongly connected components (Tarjan, iterative) that form loops: several nodes, or a node wired to itself. */
    private static final class Loops {
        private final Map<String, List<String>> edges;
        private final List<String> ids;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new HashSet<>();
        private final List<List<String>> loops = new ArrayList<>();
        private int counter;

        Loops(Set<String> ids, Map<String, List<String>> edges) {
            this.ids = new ArrayList<>(ids);
            this.edges = edges;
        }

        List<List<String>> find() {
            for (String id : ids) {
                if (!index.containsKey(id)) {
                    visit(id);
                }
            }
            return loops;
        }

        private void visit(String root) {
            Deque<Object[]> frames = new ArrayDeque<>(); // {node, next edge position}
            enter(root);
            frames.push(new Object[] {root, 0});
            while (!frames.isEmpty()) {
                Object[] frame = frames.peek();
                String v = (String) frame[0];
                List<String> out = edges.getOrDefault(v, List.of());
                int i = (Integer) frame[1];
                if (i < out.size()) {
                    frame[1] = i + 1;
                    String w = out.get(i);
                    if (!index.containsKey(w)) {
                        enter(w);
                        frames.push(new Object[] {w, 0});
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                frames.pop();
                if (!frames.isEmpty()) {
                    String parent = (String) frames.peek()[0];
                    low.put(parent, Math.min(low.get(parent), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    List<String> component = new ArrayList<>();
                    String w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        component.add(0, w);
                    } while (!w.equals(v));
                    if (component.size() > 1 || edges.getOrDefault(v, List.of()).contains(v)) {
                        loops.add(component);
                    }
                }
            }
        }

        private void enter(String v) {
            index.put(v, counter);
            low.put(v, counter);
            counter++;
            stack.push(v);
            onStack.add(v);
        }
    }
}
