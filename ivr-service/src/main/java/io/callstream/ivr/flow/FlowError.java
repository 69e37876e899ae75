package io.callstream.ivr.flow;

/** One reason a flow is refused: the node at fault (null for the flow itself), the field, and why. */
public record FlowError(String node, String field, String message) {
    @Override
    public String toString() {
        return (node == null ? "" : "node " + node + ": ") + field + ": " + message;
    }
}
