package io.callstream.pbx;

/**
 * Speech recognition against the scripted party: it "recognises" exactly what the party said with
 * a {@code say} step (score 1000, grammar {@code default}); keys pressed instead are a result with
 * grammar {@code dtmf}, as in app_speech_utils.
 */
final class Speech {
    /** What was recognised: null text when nothing was. */
    record Heard(String text, String grammar) {
    }

    private Speech() {
    }

    /**
     * Plays {@code prompt} (if any), then waits up to {@code timeoutMs} after it for the party to
     * speak or press keys. The result is stored on the channel for SPEECH_TEXT() and friends.
     */
    static Heard listen(Pbx pbx, Channel channel, String prompt, long timeoutMs) throws ChannelMedia.Interrupted {
        channel.speechResults = 0;
        channel.speechText = null;
        channel.speechGrammar = null;
        channel.media.listen();
        try {
            long deadline = ChannelMedia.deadlineAfterMillis(timeoutMs);
            if (prompt != null && !prompt.isEmpty()) {
                Prompts.heard(channel, "file", prompt);
                deadline = ChannelMedia.deadlineAfterMillis(pbx.promptMillis() + timeoutMs);
            }
            channel.media.awaitCondition(deadline, () -> channel.media.hasSpeech() || channel.media.hasDigits());
            String text = channel.media.takeSpeech();
            // no speech: a key may have been pressed instead
            char key = text == null ? channel.media.nextDigit(System.nanoTime()) : 0;
            Heard heard;
            if (text != null) {
                heard = new Heard(text, "default");
            } else if (key != 0) {
                Prompts.Collected more = key == '#' ? new Prompts.Collected("", false)
                        : Prompts.collect(pbx, channel, "file", null, Math.max(timeoutMs, 1), Math.max(timeoutMs, 1), 31);
                heard = new Heard(key == '#' ? "" : key + more.digits(), "dtmf");
            } else {
                heard = new Heard(null, null);
            }
            if (heard.text() != null) {
                channel.speechText = heard.text();
                channel.speechGrammar = heard.grammar();
                channel.speechResults = 1;
            }
            if (channel.log != null) {
                channel.log.event("speech", heard.text() == null ? "recognised nothing"
                        : "recognised '" + heard.text() + "' (" + heard.grammar() + ")");
            }
            return heard;
        } finally {
            channel.media.stopListening();
        }
    }
}
