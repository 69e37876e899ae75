package io.callstream.contracts.ivr;

import java.time.Instant;

/**
 * A flow was published, rolled back or deleted, or is announced again when ivr-service starts: what other
 * services need to refer to it (outbound-service checks a task's flow with it). Key: the flow id, not a
 * call id. {@code activeVersion} is absent while no version is published.
 */
public record FlowChanged(String flowId, String name, String kind, Integer activeVersion, boolean deleted,
                          Instant changedAt) {
    public static final String TYPE = "io.callstream.ivr.flow-changed";
}
