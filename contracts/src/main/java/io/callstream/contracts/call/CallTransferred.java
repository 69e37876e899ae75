package io.callstream.contracts.call;

/** An external number or an extension answered and is bridged with the caller. */
public record CallTransferred(String callId, String commandId, TransferKind kind, String target)
        implements CommandResult {
    public static final String TYPE = "io.callstream.call.transferred";
}
