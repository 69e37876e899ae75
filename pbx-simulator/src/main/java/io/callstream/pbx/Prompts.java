package io.callstream.pbx;

/**
 * Playing prompts and reading keys on a channel, with Asterisk's semantics: a prompt lasts the
 * configured prompt duration (8000 samples a second for {@code endpos}); while it plays only the
 * escape keys interrupt it and other keys are dropped; digit collection follows
 * {@code ast_app_getdata}: any key cuts the prompt short, {@code #} ends the input and is not kept.
 */
final class Prompts {
    /** Keys a caller can press. */
    static final String ALL_KEYS = "0123456789*#";
    private static final int SAMPLES_PER_MS = 8;

    /** How a playback ended: the escape key (0 if none) and the sample offset reached. */
    record Played(char key, long endpos) {
    }

    /** How digit collection ended: the digits and whether it ran out of time. */
    record Collected(String digits, boolean timedOut) {
    }

    private Prompts() {
    }

    /**
     * Plays one prompt; returns the escape key that interrupted it (0 if none) and the offset
     * reached. The party hears it when it starts.
     *
     * @param kind   file, tts, digits, number, alpha...
     * @param escape keys that interrupt, empty for none
     * @param offset sample offset to start from
     */
    static Played play(Pbx pbx, Channel channel, String kind, String text, String escape, long offset)
            throws ChannelMedia.Interrupted {
        long lengthMs = pbx.promptMillis();
        long total = lengthMs * SAMPLES_PER_MS;
        long start = Math.max(0, Math.min(offset, total));
        boolean listening = escape != null && !escape.isEmpty();
        if (listening) {
            channel.media.listen();
        }
        long started = System.nanoTime();
        try {
            heard(channel, kind, text);
            long deadline = ChannelMedia.deadlineAfterMillis(lengthMs - start / SAMPLES_PER_MS);
            if (!listening) {
                channel.media.pause(deadline);
                return new Played((char) 0, total);
            }
            while (true) {
                char d = channel.media.nextDigit(deadline);
                if (d == 0) {
                    return new Played((char) 0, total);
                }
                if (escape.indexOf(d) >= 0) {
                    return new Played(d, Math.min(total, start + elapsedMs(started) * SAMPLES_PER_MS));
                }
            }
        } finally {
            if (listening) {
                channel.media.stopListening();
            }
        }
    }

    /** The offset a playback interrupted by a hangup reached, for {@code endpos}. */
    static long offsetAfter(Pbx pbx, long startedNanos) {
        return Math.min(pbx.promptMillis(), elapsedMs(startedNanos)) * SAMPLES_PER_MS;
    }

    /**
     * GET DATA / Read: plays {@code prompt} (if any; any key cuts it short), then reads keys until
     * {@code maxDigits}, {@code #}, or no key within the timeout.
     *
     * @param firstTimeoutMs time allowed for the first key after the prompt
     * @param timeoutMs      time allowed between keys
     */
    static Collected collect(Pbx pbx, Channel channel, String kind, String prompt, long firstTimeoutMs,
                             long timeoutMs, int maxDigits) throws ChannelMedia.Interrupted {
        channel.media.listen();
        try {
            StringBuilder digits = new StringBuilder();
            char d = 0;
            if (prompt != null && !prompt.isEmpty()) {
                heard(channel, kind, prompt);
                d = channel.media.nextDigit(ChannelMedia.deadlineAfterMillis(pbx.promptMillis()));
            }
            long wait = firstTimeoutMs;
            while (true) {
                if (d == 0) {
                    d = channel.media.nextDigit(ChannelMedia.deadlineAfterMillis(wait));
                    if (d == 0) {
                        return new Collected(digits.toString(), true);
                    }
                }
                if (d == '#') {
                    return new Collected(digits.toString(), false);
                }
                digits.append(d);
                if (digits.length() >= maxDigits) {
                    return new Collected(digits.toString(), false);
                }
                d = 0;
                wait = timeoutMs;
            }
        } finally {
            channel.media.stopListening();
        }
    }

    /** WAIT FOR DIGIT: the next key within {@code timeoutMs} (negative: forever), or 0. */
    static char waitForDigit(Channel channel, long timeoutMs) throws ChannelMedia.Interrupted {
        channel.media.listen();
        try {
            return channel.media.nextDigit(ChannelMedia.deadlineAfterMillis(timeoutMs));
        } finally {
            channel.media.stopListening();
        }
    }

    /** The party hears something. */
    static void heard(Channel channel, String kind, String text) {
        if (channel.log != null) {
            channel.log.prompt(kind, text);
        }
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000L;
    }
}
