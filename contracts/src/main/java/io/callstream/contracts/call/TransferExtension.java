package io.callstream.contracts.call;

public record TransferExtension(String commandId, String callId, String extension, int ringTimeoutSeconds)
        implements CallCommand {
    public static final String TYPE = "io.callstream.call.transfer-extension";
}
