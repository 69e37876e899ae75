package io.callstream.ivr.records;

/**
 * How a call ended, from the caller's point of view; the first that applies wins, in this order.
 */
public enum CallEndStatus {
    /** An agent answered the caller (whatever came after: survey, hang-up by either side). */
    AGENT_ANSWERED,
    /** The caller was bridged with an outside number or an extension. */
    TRANSFERRED,
    /** The caller hung up while queued for an agent or while an agent's phone rang. */
    QUEUE_ABANDONED,
    /** The caller left the queue unserved because it waited too long. */
    QUEUE_TIMEOUT,
    /** The queue was full when the caller was to join it. */
    QUEUE_FULL,
    /** No agent of the skill group could take calls. */
    NO_AGENT,
    /** The flow could not go on (a flow or switch error) and hung up. */
    IVR_FAILED,
    /** The flow ran to an end and hung up: the caller was served by the IVR alone. */
    IVR_COMPLETED,
    /** The caller hung up while the IVR ran. */
    IVR_ABANDONED,
    /** No flow ran the call: an unbound number, or an outbound call naming no flow. */
    NO_FLOW
}
