package io.callstream.contracts.routing;

/** Why a caller left the queue without an agent; the IVR takes the transfer node's matching exit. */
public enum QueueExitReason {
    /** The caller waited the transfer's whole queue timeout (exit {@code queueTimeout}). */
    TIMEOUT,
    /** The queue already held the transfer's maximum number of callers (exit {@code queueFull}). */
    QUEUE_FULL,
    /** The skill group has no agent who could take the call, e.g. none is logged in (exit {@code noAgent}). */
    NO_AGENT,
    /** The caller hung up while waiting in the queue or while an agent's phone rang; the IVR session ends. */
    ABANDONED
}
