package io.callstream.contracts.outbound;

/** Where an automatic outbound task is in its life (docs/outbound.md has the transitions). */
public enum TaskState {
    /** Created; waits for its not-before time and for callees. */
    INITIAL,
    /** Dialing its callees inside its windows. */
    RUNNING,
    /** No new dials; calls in progress go on. */
    PAUSED,
    /** Stopped, or past not-after, with calls still in progress; becomes STOPPED when they end. */
    ENDING,
    /** Every callee reached a final state. */
    COMPLETED,
    /** Stopped by a user, or not-after passed, before every callee was done. */
    STOPPED;

    public boolean isFinal() {
        return this == COMPLETED || this == STOPPED;
    }
}
