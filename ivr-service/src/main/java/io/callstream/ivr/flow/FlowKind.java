package io.callstream.ivr.flow;

/** Inbound flows are bound to numbers; outbound flows run when an automatic-outbound callee answers. */
public enum FlowKind {
    INBOUND, OUTBOUND
}
