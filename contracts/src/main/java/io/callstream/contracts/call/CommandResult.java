package io.callstream.contracts.call;

/** A call event that answers one command, naming it. */
public interface CommandResult extends CallEvent {
    String commandId();
}
