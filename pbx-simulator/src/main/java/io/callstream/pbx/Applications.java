package io.callstream.pbx;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dialplan applications EXEC can run, with the return values Asterisk's apps give: 0 to carry
 * on, -1 when the channel hung up (or the app ends the call), a key's ASCII code where an app is
 * interrupted by a key. Data is split into arguments at commas as Asterisk does.
 */
final class Applications {
    @FunctionalInterface
    private interface App {
        int run(Pbx pbx, Channel channel, List<String> args, String data) throws ChannelMedia.Interrupted;
    }

    private static final Map<String, App> APPS = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    static {
        APPS.put("Festival", Applications::festival);
        APPS.put("Playback", Applications::playback);
        APPS.put("Background", Applications::background);
        APPS.put("Wait", (pbx, c, a, d) -> {
            c.media.pause(ChannelMedia.deadlineAfterMillis((long) (Args.atof(Args.arg(a, 0, "0")) * 1000)));
            return 0;
        });
        APPS.put("StartMusicOnHold", (pbx, c, a, d) -> {
            pbx.musicOnHold(c, true, Args.arg(a, 0, "default"));
            return 0;
        });
        APPS.put("StopMusicOnHold", (pbx, c, a, d) -> {
            pbx.musicOnHold(c, false, null);
            return 0;
        });
        APPS.put("MusicOnHold", Applications::musicOnHold);
        APPS.put("SpeechCreate", (pbx, c, a, d) -> {
            c.speechCreated = true;
            c.variables.put("ERROR", "0");
            return 0;
        });
        APPS.put("SpeechBackground", Applications::speechBackground);
        APPS.put("SpeechDestroy", (pbx, c, a, d) -> {
            c.speechCreated = false;
            return 0;
        });
        for (String noop : List.of("SpeechActivateGrammar", "SpeechDeactivateGrammar", "SpeechLoadGrammar",
                "SpeechUnloadGrammar", "SpeechStart", "SpeechProcessingSound", "NoOp", "Verbose", "Log",
                "Ringing", "Progress")) {
            APPS.put(noop, (pbx, c, a, d) -> 0);
        }
        APPS.put("Set", (pbx, c, a, d) -> {
            int eq = d.indexOf('=');
            if (eq > 0) {
                pbx.setVariable(c, d.substring(0, eq).trim(), d.substring(eq + 1));
            }
            return 0;
        });
        APPS.put("Answer", (pbx, c, a, d) -> {
            if (c.state != Channel.State.UP) {
                pbx.answer(c);
            }
            return 0;
        });
        APPS.put("Hangup", (pbx, c, a, d) -> {
            long cause = Args.atol(Args.arg(a, 0, "16"));
            pbx.hangup(c, cause <= 0 ? Causes.NORMAL_CLEARING : (int) cause, "gateway", false);
            return -1;
        });
        APPS.put("Busy", (pbx, c, a, d) -> {
            pbx.hangup(c, Causes.USER_BUSY, "gateway", false);
            return -1;
        });
        APPS.put("Congestion", (pbx, c, a, d) -> {
            pbx.hangup(c, Causes.CONGESTION, "gateway", false);
            return -1;
        });
        APPS.put("SayDigits", (pbx, c, a, d) -> say(pbx, c, "digits", Args.arg(a, 0, "")));
        APPS.put("SayNumber", (pbx, c, a, d) -> say(pbx, c, "number", Args.arg(a, 0, "")));
        APPS.put("SayAlpha", (pbx, c, a, d) -> say(pbx, c, "alpha", Args.arg(a, 0, "")));
        APPS.put("Read", Applications::read);
        APPS.put("Dial", (pbx, c, a, d) -> new Dial(pbx, c).run(d));
    }

    /** Applications that play to or wait on the channel: on a dead channel they return -1 at once. */
    private static final List<String> MEDIA = List.of("Festival", "Playback", "Background", "Wait", "MusicOnHold",
            "SpeechBackground", "Read", "Dial", "SayDigits", "SayNumber", "SayAlpha", "Answer");

    private Applications() {
    }

    static boolean exists(String app) {
        return APPS.containsKey(app);
    }

    /** The application's name as registered ({@code festival} is {@code Festival}). */
    static String canonicalName(String app) {
        for (String name : APPS.keySet()) {
            if (name.equalsIgnoreCase(app)) {
                return name;
            }
        }
        return app;
    }

    static int exec(Pbx pbx, Channel channel, String app, String data) throws ChannelMedia.Interrupted {
        return APPS.get(app).run(pbx, channel, Args.appArgs(data, ','), data == null ? "" : data);
    }

    /** EXEC runs on a dead channel too: media apps fail at once, the others do their bookkeeping. */
    static int resultOnDeadChannel(Pbx pbx, Channel channel, String app, String data) {
        if (MEDIA.stream().anyMatch(app::equalsIgnoreCase)) {
            return -1;
        }
        try {
            return exec(pbx, channel, app, data);
        } catch (ChannelMedia.Interrupted e) {
            return -1;
        }
    }

    private static int festival(Pbx pbx, Channel c, List<String> a, String d) throws ChannelMedia.Interrupted {
        String text = Args.arg(a, 0, "");
        String keys = Args.arg(a, 1, "");
        if (keys.equalsIgnoreCase("any")) {
            keys = Prompts.ALL_KEYS;
        }
        return Prompts.play(pbx, c, "tts", text, keys, 0).key();
    }

    private static int playback(Pbx pbx, Channel c, List<String> a, String d) throws ChannelMedia.Interrupted {
        c.variables.put("PLAYBACKSTATUS", "FAILED");
        for (String file : Args.arg(a, 0, "").split("&")) {
            if (!file.isEmpty()) {
                Prompts.play(pbx, c, "file", file, "", 0);
            }
        }
        c.variables.put("PLAYBACKSTATUS", "SUCCESS");
        return 0;
    }

    private static int background(Pbx pbx, Channel c, List<String> a, String d) throws ChannelMedia.Interrupted {
        c.variables.put("BACKGROUNDSTATUS", "FAILED");
        for (String file : Args.arg(a, 0, "").split("&")) {
            if (!file.isEmpty()) {
                char key = Prompts.play(pbx, c, "file", file, Prompts.ALL_KEYS, 0).key();
                if (key != 0) {
                    c.variables.put("BACKGROUNDSTATUS", "SUCCESS");
                    return key;
                }
            }
        }
        c.variables.put("BACKGROUNDSTATUS", "SUCCESS");
        return 0;
    }

    private static int musicOnHold(Pbx pbx, Channel c, List<String> a, String d) throws ChannelMedia.Interrupted {
        String duration = Args.arg(a, 1, "");
        pbx.musicOnHold(c, true, Args.arg(a, 0, "default"));
        try {
            c.media.pause(duration.isEmpty() ? ChannelMedia.FOREVER
                    : ChannelMedia.deadlineAfterMillis((long) (Args.atof(duration) * 1000)));
        } finally {
            pbx.musicOnHold(c, false, null);
        }
        return 0;
    }

    private static int speechBackground(Pbx pbx, Channel c, List<String> a, String d) throws ChannelMedia.Interrupted {
        String timeout = Args.arg(a, 1, "");
        long timeoutMs = timeout.isEmpty() ? 5000 : (long) (Args.atof(timeout) * 1000);
        Speech.listen(pbx, c, Args.arg(a, 0, ""), timeoutMs <= 0 ? 5000 : timeoutMs);
        return 0;
    }

    private static int say(Pbx pbx, Channel c, String kind, String text) throws ChannelMedia.Interrupted {
        Prompts.play(pbx, c, kind, text, "", 0);
        return 0;
    }

    /** Read(variable[,filename[&filename2...][,maxdigits[,options[,attempts[,timeout]]]]]) */
    private static int read(Pbx pbx, Channel c, List<String> a, String d) throws ChannelMedia.Interrupted {
        String variable = Args.arg(a, 0, "");
        if (variable.isEmpty()) {
            return 0;
        }
        String[] files = Args.arg(a, 1, "").split("&");
        int max = (int) Args.atol(Args.arg(a, 2, "0"));
        if (max <= 0 || max > 255) {
            max = 255;
        }
        int attempts = (int) Math.max(1, Args.atol(Args.arg(a, 4, "1")));
        double timeout = Args.atof(Args.arg(a, 5, "0"));
        long first = timeout > 0 ? (long) (timeout * 1000) : 6000;
        long between = timeout > 0 ? (long) (timeout * 1000) : 2000;
        Prompts.Collected got = new Prompts.Collected("", true);
        for (int i = 0; i < attempts; i++) {
            for (int f = 0; f < files.length - 1; f++) {
                Prompts.play(pbx, c, "file", files[f], "", 0);
            }
            got = Prompts.collect(pbx, c, "file", files[files.length - 1], first, between, max);
            if (!got.digits().isEmpty()) {
                break;
            }
        }
        pbx.setVariable(c, variable, got.digits());
        c.variables.put("READSTATUS", got.timedOut() ? "TIMEOUT" : "OK");
        return 0;
    }
}
