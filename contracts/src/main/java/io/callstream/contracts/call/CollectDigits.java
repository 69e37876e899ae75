package io.callstream.contracts.call;

/**
 * Play {@code prompt} (optional) and read keys: either up to {@code maxDigits} ending early on
 * {@code terminator}, or exactly {@code fixedLength} keys when that is set.
 */
public record CollectDigits(String commandId, String callId, Prompt prompt, int maxDigits, Integer fixedLength,
                            String terminator, int timeoutSeconds) implements CallCommand {
    public static final String TYPE = "io.callstream.call.collect-digits";
}
