package io.callstream.contracts.call;

/** An originate did not result in an answered call. {@code asteriskReason} is the raw AMI reason code. */
public record OriginateFailed(String callId, String commandId, String attemptId, OriginateOutcome reason,
                              Integer asteriskReason) implements CommandResult {
    public static final String TYPE = "io.callstream.call.originate-failed";
}
