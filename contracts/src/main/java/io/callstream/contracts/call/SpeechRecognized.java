package io.callstream.contracts.call;

/** What the recognizer heard; empty text means no speech. {@code confidence} is 0..1 when known. */
public record SpeechRecognized(String callId, String commandId, String text, Double confidence)
        implements CommandResult {
    public static final String TYPE = "io.callstream.call.speech-recognized";
}
