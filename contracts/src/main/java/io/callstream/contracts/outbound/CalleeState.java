package io.callstream.contracts.outbound;

/** Where one callee of a task is. ANSWERED, NOT_ANSWERED and BLOCKED are final. */
public enum CalleeState {
    PENDING, CALLING, PENDING_RETRY, ANSWERED, NOT_ANSWERED, BLOCKED;

    public boolean isFinal() {
        return this == ANSWERED || this == NOT_ANSWERED || this == BLOCKED;
    }
}
