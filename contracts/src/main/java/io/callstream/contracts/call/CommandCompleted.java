package io.callstream.contracts.call;

/**
 * A command with no result of its own (start/stop hold, set variable, hang up — followed by the call's
 * {@link CallEnded}) was carried out; {@code command} is the command's CloudEvents type.
 */
public record CommandCompleted(String callId, String commandId, String command) implements CommandResult {
    public static final String TYPE = "io.callstream.call.command-completed";
}
