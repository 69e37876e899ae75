package io.callstream.contracts.call;

/** Digits the caller keyed, without the terminator; empty when nothing was keyed before the timeout. */
public record DigitsCollected(String callId, String commandId, String digits, DigitsCompletion completion)
        implements CommandResult {
    public static final String TYPE = "io.callstream.call.digits-collected";
}
