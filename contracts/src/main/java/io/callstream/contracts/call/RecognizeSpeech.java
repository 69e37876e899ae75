package io.callstream.contracts.call;

/** Play {@code prompt} (optional) and recognise what the caller says, in {@code language} if given. */
public record RecognizeSpeech(String commandId, String callId, Prompt prompt, int timeoutSeconds,
                              String language) implements CallCommand {
    public static final String TYPE = "io.callstream.call.recognize-speech";
}
