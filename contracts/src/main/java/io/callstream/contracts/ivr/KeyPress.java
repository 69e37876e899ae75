package io.callstream.contracts.ivr;

import java.time.Instant;

/** One entry of a key trail: the keys the caller pressed at a node, and when. */
public record KeyPress(String nodeId, String label, String keys, Instant at) {
}
