package io.callstream.ivr.engine;

import io.callstream.ivr.flow.Condition;
import io.callstream.ivr.flow.FlowDocument;
import io.callstream.ivr.flow.NodeDocument;
import io.callstream.ivr.flow.ServiceHours;
import io.callstream.ivr.flow.Template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A published flow version ready to run: nodes by id, and what is worth parsing once (templates,
 * conditions, service hours). Versions never change, so one instance serves every call on it.
 */
public final class RunnableFlow {
    public final UUID flowId;
    public final int version;
    public final FlowDocument document;
    private final Map<String, NodeDocument> nodes = new HashMap<>();
    private final Map<String, List<Condition>> conditions = new ConcurrentHashMap<>();
    private final Map<String, ServiceHours> hours = new ConcurrentHashMap<>();
    private final Map<String, Template> templates = new ConcurrentHashMap<>();
    private final String start;

    public RunnableFlow(UUID flowId, int version, FlowDocument document) {
        this.flowId = flowId;
        this.version = version;
        this.document = document;
        String first = null;
        for (NodeDocument n : document.nodes()) {
            nodes.put(n.id(), n);
            if ("start".equals(n.type())) {
                first = n.id();
            }
        }
        this.start = first;
    }

    public String start() {
        return start;
    }

    public NodeDocument node(String id) {
        NodeDocument n = nodes.get(id);
        if (n == null) {
            throw new IllegalStateException("flow " + flowId + " v" + version + " has no node " + id);
        }
        return n;
    }

    public List<Condition> conditions(NodeDocument node) {
        return conditions.computeIfAbsent(node.id(), id -> {
            List<Condition> list = new ArrayList<>();
            node.settings().get("conditions").forEach(json -> list.add(Condition.parse(json).condition()));
            return list;
        });
    }

    public ServiceHours hours(NodeDocument node) {
        return hours.computeIfAbsent(node.id(), id -> ServiceHours.parse(node.settings()).hours());
    }

    public Template template(String text) {
        return templates.computeIfAbsent(text, Template::parse);
    }
}
