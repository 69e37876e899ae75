package io.callstream.contracts.call;

/** A command could not be carried out; {@code command} is its CloudEvents type. */
public record CommandFailed(String callId, String commandId, String command, CommandFailureReason reason,
                            String detail) implements CommandResult {
    public static final String TYPE = "io.callstream.call.command-failed";
}
