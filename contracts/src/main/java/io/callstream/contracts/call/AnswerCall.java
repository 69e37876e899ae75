package io.callstream.contracts.call;

public record AnswerCall(String commandId, String callId) implements CallCommand {
    public static final String TYPE = "io.callstream.call.answer";
}
