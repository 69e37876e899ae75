package io.callstream.contracts.call;

/** What to play: text spoken by TTS, or an audio file the switch already has. Exactly one is set. */
public record Prompt(String text, String audioFile) {
    public Prompt {
        if ((text == null || text.isBlank()) == (audioFile == null || audioFile.isBlank())) {
            throw new IllegalArgumentException("a prompt has exactly one of text or audioFile");
        }
    }

    public static Prompt text(String text) {
        return new Prompt(text, null);
    }

    public static Prompt audio(String audioFile) {
        return new Prompt(null, audioFile);
    }
}
