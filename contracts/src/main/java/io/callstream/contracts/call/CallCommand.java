package io.callstream.contracts.call;

/**
 * Data of a command on {@code callstream.call.commands}; the Kafka key is {@link #callId()}. The
 * gateway executes each command id once and answers it with a {@link CommandResult}.
 */
public interface CallCommand {
    String commandId();

    String callId();
}
