package io.callstream.pbx;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The switch side of one FastAGI session: connects to the gateway, sends the {@code agi_*}
 * environment, then answers each command as res_agi does. When the channel is hung up a running
 * command ends with {@code result=-1}, {@code HANGUP} is sent (right away when idle), and from then
 * on only the commands res_agi allows on a dead channel run; the others get 511. The session ends
 * when the gateway closes the socket.
 */
final class AgiSession implements Runnable {
    private static final System.Logger LOG = System.getLogger(AgiSession.class.getName());
    /** res_agi reads commands into a 2048-byte buffer; longer lines are refused with 510. */
    static final int MAX_LINE = 2047;
    static final String DEAD = "511 Command Not Permitted on a dead channel or intercept routine";
    static final String UNKNOWN = "510 Invalid or unknown command";
    private static final int CONNECT_TIMEOUT_MS = 3000;
    /** Socket read timeout: how often an idle session checks for simulator shutdown and the dead-session grace. */
    private static final int POLL_MS = 2000;

    private final Pbx pbx;
    private final Channel channel;
    private final Object writeLock = new Object();
    private final Runnable interruptListener = this::channelInterrupted;
    private volatile Socket socket;
    private OutputStream out;
    private boolean inCommand;
    private boolean hangupSent;
    private long deadSince;

    AgiSession(Pbx pbx, Channel channel) {
        this.pbx = pbx;
        this.channel = channel;
    }

    String url() {
        SimulatorConfig c = pbx.config();
        return "agi://" + c.agiHost() + ":" + c.agiPort() + "/" + c.agiScript();
    }

    @Override
    public void run() {
        SimulatorConfig config = pbx.config();
        Socket s = new Socket();
        socket = s;
        try {
            try {
                s.connect(new InetSocketAddress(config.agiHost(), config.agiPort()), CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                channel.variables.put("AGISTATUS", "FAILURE");
                if (channel.log != null) {
                    channel.log.error("FastAGI connection to " + url() + " failed: " + e.getMessage());
                }
                return;
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(POLL_MS);
            channel.application = "AGI";
            channel.applicationData = url();
            synchronized (writeLock) {
                out = new BufferedOutputStream(s.getOutputStream());
                out.write(environment().getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (channel.log != null) {
                channel.log.event("agi", "FastAGI session to " + url());
            }
            channel.onInterrupt(interruptListener);
            if (channel.media.isInterrupted()) {
                channelInterrupted();
            }
            serve(new LineReader(s.getInputStream(), MAX_LINE));
            channel.variables.put("AGISTATUS", channel.isHungUp() ? "HANGUP" : "SUCCESS");
        } catch (IOException e) {
            // the gateway went away mid-session: as for a closed socket, the dialplan carries on
            LOG.log(Level.DEBUG, "FastAGI session of " + channel + " ended: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "FastAGI session of " + channel + " failed", e);
            if (channel.log != null) {
                channel.log.error("simulator error in FastAGI session: " + e);
            }
        } finally {
            channel.removeInterruptListener(interruptListener);
            AmiServer.closeQuietly(s);
            pbx.agiEnded(channel, this);
        }
    }

    /** Closes the socket (simulator shutdown). */
    void abort() {
        Socket s = socket;
        if (s != null) {
            AmiServer.closeQuietly(s);
        }
    }

    private void serve(LineReader lines) throws IOException {
        long grace = TimeUnit.MILLISECONDS.toNanos(pbx.config().deadAgiTimeout().toMillis());
        while (true) {
            LineReader.Line line;
            try {
                line = lines.readLine();
            } catch (SocketTimeoutException e) {
                if (pbx.isClosed()) {
                    return;
                }
                synchronized (writeLock) {
                    if (hangupSent && System.nanoTime() - deadSince > grace) {
                        if (channel.log != null) {
                            channel.log.event("agi", "gateway kept the dead FastAGI session open; closed it");
                        }
                        return;
                    }
                }
                continue;
            }
            if (line == null) {
                return;
            }
            handle(line);
        }
    }

    private void handle(LineReader.Line line) throws IOException {
        synchronized (writeLock) {
            inCommand = true;
        }
        String reply;
        if (line.tooLong()) {
            reply = UNKNOWN;
        } else {
            boolean dead = channel.media.isInterrupted();
            try {
                reply = dispatch(Args.agiWords(line.text()), dead);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "AGI command '" + line.text() + "' failed", e);
                reply = "200 result=-1";
            }
        }
        synchronized (writeLock) {
            out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
            inCommand = false;
            if (channel.media.isInterrupted() && !hangupSent) {
                writeHangup();
            }
            out.flush();
        }
    }

    /** Hangup (or redirect) while the session runs: tell the gateway unless a command will. */
    private void channelInterrupted() {
        synchronized (writeLock) {
            if (inCommand || hangupSent || out == null) {
                return;
            }
            try {
                writeHangup();
                out.flush();
            } catch (IOException e) {
                // the socket is gone; the reader notices
            }
        }
    }

    private void writeHangup() throws IOException {
        out.write("HANGUP\n".getBytes(StandardCharsets.UTF_8));
        hangupSent = true;
        deadSince = System.nanoTime();
    }

    private String environment() {
        SimulatorConfig c = pbx.config();
        StringBuilder sb = new StringBuilder(768);
        line(sb, "agi_network", "yes");
        line(sb, "agi_network_script", c.agiScript());
        line(sb, "agi_request", url());
        line(sb, "agi_channel", channel.name);
        line(sb, "agi_language", "en");
        line(sb, "agi_type", channel.type);
        line(sb, "agi_uniqueid", channel.uniqueId);
        line(sb, "agi_version", Pbx.ASTERISK_VERSION);
        line(sb, "agi_callerid", unknownIfEmpty(channel.callerNum));
        line(sb, "agi_calleridname", unknownIfEmpty(channel.callerName));
        line(sb, "agi_callingpres", "0");
        line(sb, "agi_callingani2", "0");
        line(sb, "agi_callington", "0");
        line(sb, "agi_callingtns", "0");
        line(sb, "agi_dnid", unknownIfEmpty(channel.dnid));
        line(sb, "agi_rdnis", "unknown");
        line(sb, "agi_context", channel.context);
        line(sb, "agi_extension", channel.exten);
        line(sb, "agi_priority", String.valueOf(channel.priority));
        line(sb, "agi_enhanced", "0.0");
        line(sb, "agi_accountcode", "");
        line(sb, "agi_threadid", String.valueOf(140_000_000_000_000L + Thread.currentThread().getId()));
        List<String> agiArgs = c.agiArguments();
        for (int i = 0; i < agiArgs.size(); i++) {
            line(sb, "agi_arg_" + (i + 1), agiArgs.get(i));
        }
        return sb.append('\n').toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append(": ").append(value == null ? "" : value.replace('\n', ' ')).append('\n');
    }

    private static String unknownIfEmpty(String s) {
        return s == null || s.isEmpty() ? "unknown" : s;
    }

    // ------------------------------------------------------------------ commands

    /** A res_agi command: its words, whether it may run on a dead channel, what it does. */
    private record Command(String[] words, boolean runsDead, String usage, Handler handler) {
    }

    @FunctionalInterface
    private interface Handler {
        String run(AgiSession session, List<String> argv) throws ChannelMedia.Interrupted;
    }

    private static final List<Command> COMMANDS = List.of(
            cmd("control stream file", false, "CONTROL STREAM FILE <filename> <escape_digits> [skipms] [ffchar] [rewchr] [pausechr] [offsetms]", AgiSession::streamFile),
            cmd("get full variable", true, "GET FULL VARIABLE <expression> [channelname]", AgiSession::getFullVariable),
            cmd("speech load grammar", false, "SPEECH LOAD GRAMMAR <grammar name> <path to grammar>", (s, a) -> "200 result=1"),
            cmd("speech unload grammar", true, "SPEECH UNLOAD GRAMMAR <grammar name>", (s, a) -> "200 result=1"),
            cmd("speech activate grammar", false, "SPEECH ACTIVATE GRAMMAR <grammar name>", (s, a) -> "200 result=1"),
            cmd("speech deactivate grammar", false, "SPEECH DEACTIVATE GRAMMAR <grammar name>", (s, a) -> "200 result=1"),
            cmd("wait for digit", false, "WAIT FOR DIGIT <timeout>", AgiSession::waitForDigit),
            cmd("asyncagi break", true, "ASYNCAGI BREAK", (s, a) -> "200 result=0"),
            cmd("channel status", false, "CHANNEL STATUS [<channelname>]", AgiSession::channelStatus),
            cmd("database del", true, "DATABASE DEL <family> <key>", AgiSession::databaseDel),
            cmd("database deltree", true, "DATABASE DELTREE <family> [keytree]", AgiSession::databaseDelTree),
            cmd("database get", true, "DATABASE GET <family> <key>", AgiSession::databaseGet),
            cmd("database put", true, "DATABASE PUT <family> <key> <value>", AgiSession::databasePut),
            cmd("get data", false, "GET DATA <file to be streamed> [timeout] [max digits]", AgiSession::getData),
            cmd("get option", false, "GET OPTION <filename> <escape_digits> [timeout]", AgiSession::getOption),
            cmd("get variable", true, "GET VARIABLE <variablename>", AgiSession::getVariable),
            cmd("receive char", false, "RECEIVE CHAR <timeout>", (s, a) -> "200 result=0 (timeout)"),
            cmd("receive text", false, "RECEIVE TEXT <timeout>", (s, a) -> "200 result=-1"),
            cmd("record file", false, "RECORD FILE <filename> <format> <escape_digits> <timeout> [offset samples] [BEEP] [s=silence]", AgiSession::recordFile),
            cmd("say alpha", false, "SAY ALPHA <number> <escape_digits>", (s, a) -> s.say(a, "alpha")),
            cmd("say digits", false, "SAY DIGITS <number> <escape_digits>", (s, a) -> s.say(a, "digits")),
            cmd("say number", false, "SAY NUMBER <number> <escape_digits> [gender]", (s, a) -> s.say(a, "number")),
            cmd("say phonetic", false, "SAY PHONETIC <string> <escape_digits>", (s, a) -> s.say(a, "phonetic")),
            cmd("say date", false, "SAY DATE <date> <escape_digits>", (s, a) -> s.say(a, "date")),
            cmd("say time", false, "SAY TIME <time> <escape_digits>", (s, a) -> s.say(a, "time")),
            cmd("say datetime", false, "SAY DATETIME <time> <escape_digits> [format] [timezone]", (s, a) -> s.say(a, "datetime")),
            cmd("send image", false, "SEND IMAGE <image>", (s, a) -> "200 result=0"),
            cmd("send text", false, "SEND TEXT <text to send>", (s, a) -> "200 result=0"),
            cmd("set autohangup", false, "SET AUTOHANGUP <time>", AgiSession::setAutoHangup),
            cmd("set callerid", false, "SET CALLERID <number>", AgiSession::setCallerId),
            cmd("set context", false, "SET CONTEXT <desired context>", AgiSession::setContext),
            cmd("set extension", false, "SET EXTENSION <new extension>", AgiSession::setExtension),
            cmd("set music", false, "SET MUSIC <on|off> <class>", AgiSession::setMusic),
            cmd("set priority", false, "SET PRIORITY <priority>", AgiSession::setPriority),
            cmd("set variable", true, "SET VARIABLE <variablename> <value>", AgiSession::setVariable),
            cmd("stream file", false, "STREAM FILE <filename> <escape_digits> [sample offset]", AgiSession::streamFile),
            cmd("tdd mode", false, "TDD MODE <on|off>", (s, a) -> "200 result=0"),
            cmd("speech create", false, "SPEECH CREATE <engine>", AgiSession::speechCreate),
            cmd("speech set", false, "SPEECH SET <name> <value>", (s, a) -> a.size() != 4 ? null : "200 result=1"),
            cmd("speech destroy", true, "SPEECH DESTROY", (s, a) -> "200 result=1"),
            cmd("speech recognize", false, "SPEECH RECOGNIZE <prompt> <timeout> [<offset>]", AgiSession::speechRecognize),
            cmd("gosub", false, "GOSUB <context> <extension> <priority> [<optional-argument>]", AgiSession::gosub),
            cmd("answer", false, "ANSWER", AgiSession::answer),
            cmd("exec", true, "EXEC <application> <options>", AgiSession::exec),
            cmd("hangup", false, "HANGUP [<channelname>]", AgiSession::hangup),
            cmd("noop", true, "NOOP", (s, a) -> "200 result=0"),
            cmd("verbose", true, "VERBOSE <message> <level>", (s, a) -> a.size() < 2 ? null : "200 result=1"));

    private static Command cmd(String words, boolean runsDead, String usage, Handler handler) {
        return new Command(words.split(" "), runsDead, usage, handler);
    }

    private String dispatch(List<String> argv, boolean dead) {
        Command command = find(argv);
        if (command == null) {
            return UNKNOWN;
        }
        if (dead && !command.runsDead()) {
            return DEAD;
        }
        String reply;
        try {
            reply = command.handler().run(this, argv);
        } catch (ChannelMedia.Interrupted e) {
            reply = "200 result=-1";
        }
        return reply == null ? usage(command) : reply;
    }

    /** res_agi's lookup: the command whose words all match the line's first words, longest first. */
    private static Command find(List<String> argv) {
        Command best = null;
        for (Command c : COMMANDS) {
            if (c.words().length > argv.size()) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < c.words().length && match; i++) {
                match = c.words()[i].equalsIgnoreCase(argv.get(i));
            }
            if (match && (best == null || c.words().length > best.words().length)) {
                best = c;
            }
        }
        return best;
    }

    private static String usage(Command c) {
        return "520-Invalid command syntax.  Proper usage follows:\n Usage: " + c.usage() + "\n520 End of proper usage.";
    }

    private String answer(List<String> argv) {
        if (channel.state != Channel.State.UP) {
            pbx.answer(channel);
        }
        return "200 result=0";
    }

    private String hangup(List<String> argv) {
        if (argv.size() == 1) {
            pbx.hangup(channel, Causes.NORMAL_CLEARING, "gateway", false);
            return "200 result=1";
        }
        if (argv.size() == 2) {
            Channel other = pbx.channel(argv.get(1));
            if (other == null) {
                return "200 result=-1";
            }
            pbx.hangup(other, Causes.NORMAL_CLEARING, "gateway", false);
            return "200 result=1";
        }
        return null;
    }

    private String channelStatus(List<String> argv) {
        if (argv.size() == 2) {
            return "200 result=" + channel.state.code;
        }
        if (argv.size() == 3) {
            Channel other = pbx.channel(argv.get(2));
            return other == null ? "200 result=-1" : "200 result=" + other.state.code;
        }
        return null;
    }

    private String streamFile(List<String> argv) throws ChannelMedia.Interrupted {
        boolean control = argv.get(0).equalsIgnoreCase("control");
        int base = control ? 1 : 0;
        int minArgs = 4 + base;
        if (argv.size() < minArgs || (!control && argv.size() > 5) || (control && argv.size() > 10)) {
            return null;
        }
        String file = argv.get(2 + base);
        String escape = argv.get(3 + base);
        long offset = 0;
        if (!control && argv.size() > 4) {
            try {
                offset = Long.parseLong(argv.get(4).trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        long started = System.nanoTime();
        try {
            Prompts.Played p = Prompts.play(pbx, channel, "file", file, escape, offset);
            return control ? "200 result=" + (int) p.key() : "200 result=" + (int) p.key() + " endpos=" + p.endpos();
        } catch (ChannelMedia.Interrupted e) {
            return control ? "200 result=-1" : "200 result=-1 endpos=" + (offset + Prompts.offsetAfter(pbx, started));
        }
    }

    private String getOption(List<String> argv) throws ChannelMedia.Interrupted {
        if (argv.size() < 4 || argv.size() > 5) {
            return null;
        }
        String escape = argv.get(3);
        long timeout = argv.size() == 5 ? Args.atol(argv.get(4)) : 5000;
        long started = System.nanoTime();
        try {
            Prompts.Played p = Prompts.play(pbx, channel, "file", argv.get(2), escape, 0);
            int key = p.key();
            if (key == 0) {
                char d = Prompts.waitForDigit(channel, timeout <= 0 ? 0 : timeout);
                key = escape.indexOf(d) >= 0 && d != 0 ? d : 0;
            }
            return "200 result=" + key + " endpos=" + p.endpos();
        } catch (ChannelMedia.Interrupted e) {
            return "200 result=-1 endpos=" + Prompts.offsetAfter(pbx, started);
        }
    }

    private String getData(List<String> argv) throws ChannelMedia.Interrupted {
        if (argv.size() < 3) {
            return null;
        }
        long timeout = argv.size() >= 4 ? Args.atol(argv.get(3)) : 0;
        int max = argv.size() >= 5 ? (int) Args.atol(argv.get(4)) : 1024;
        long first = 6000;
        long between = 2000;
        if (timeout > 0) {
            first = between = timeout;
        } else if (timeout < 0) {
            first = between = -1;
        }
        if (max <= 0) {
            // ast_readstring refuses a zero length
            return "200 result=-1";
        }
        Prompts.Collected c = Prompts.collect(pbx, channel, "file", argv.get(2), first, between, Math.min(max, 1023));
        return c.timedOut() ? "200 result=" + c.digits() + " (timeout)" : "200 result=" + c.digits();
    }

    private String waitForDigit(List<String> argv) throws ChannelMedia.Interrupted {
        if (argv.size() != 4) {
            return null;
        }
        Integer timeout = Args.parseInt(argv.get(3));
        if (timeout == null) {
            return null;
        }
        char d = Prompts.waitForDigit(channel, timeout < 0 ? -1 : timeout);
        return "200 result=" + (int) d;
    }

    private String say(List<String> argv, String kind) throws ChannelMedia.Interrupted {
        if (argv.size() < 4) {
            return null;
        }
        Prompts.Played p = Prompts.play(pbx, channel, kind, argv.get(2), argv.get(3), 0);
        return "200 result=" + (int) p.key();
    }

    private String recordFile(List<String> argv) throws ChannelMedia.Interrupted {
        if (argv.size() < 6) {
            return null;
        }
        Integer timeout = Args.parseInt(argv.get(5));
        if (timeout == null) {
            return null;
        }
        String escape = argv.get(4);
        if (channel.log != null) {
            channel.log.event("record", "recording " + argv.get(2) + "." + argv.get(3));
        }
        long started = System.nanoTime();
        channel.media.listen();
        try {
            long deadline = ChannelMedia.deadlineAfterMillis(timeout < 0 ? -1 : timeout);
            while (true) {
                char d = channel.media.nextDigit(deadline);
                long endpos = (System.nanoTime() - started) / 1_000_000L * 8;
                if (d == 0) {
                    return "200 result=0 (timeout) endpos=" + endpos;
                }
                if (escape.indexOf(d) >= 0) {
                    return "200 result=" + (int) d + " (dtmf) endpos=" + endpos;
                }
            }
        } catch (ChannelMedia.Interrupted e) {
            return "200 result=-1 (hangup) endpos=" + (System.nanoTime() - started) / 1_000_000L * 8;
        } finally {
            channel.media.stopListening();
        }
    }

    private String setAutoHangup(List<String> argv) {
        if (argv.size() != 3) {
            return null;
        }
        double seconds = Args.atof(argv.get(2));
        pbx.autoHangup(channel, seconds <= 0 ? 0 : (long) (seconds * 1000));
        return "200 result=0";
    }

    private String setCallerId(List<String> argv) {
        if (argv.size() > 2) {
            String[] cid = AmiSession.parseCallerId(argv.get(2));
            channel.callerName = cid[0] == null ? "" : cid[0];
            channel.callerNum = cid[1] == null ? "" : cid[1];
        }
        return "200 result=1";
    }

    private String setContext(List<String> argv) {
        if (argv.size() != 3) {
            return null;
        }
        channel.context = argv.get(2);
        return "200 result=0";
    }

    private String setExtension(List<String> argv) {
        if (argv.size() != 3) {
            return null;
        }
        channel.exten = argv.get(2);
        return "200 result=0";
    }

    private String setPriority(List<String> argv) {
        if (argv.size() != 3) {
            return null;
        }
        Integer p = Args.parseInt(argv.get(2));
        if (p == null || p < 1) {
            return null;
        }
        channel.priority = p;
        return "200 result=0";
    }

    private String setMusic(List<String> argv) {
        if (argv.size() < 3) {
            return null;
        }
        String onOff = argv.get(2).toLowerCase(Locale.ROOT);
        if (onOff.startsWith("on")) {
            pbx.musicOnHold(channel, true, argv.size() > 3 ? argv.get(3) : "default");
        } else if (onOff.startsWith("off")) {
            pbx.musicOnHold(channel, false, null);
        }
        return "200 result=0";
    }

    private String setVariable(List<String> argv) {
        if (argv.size() >= 4) {
            pbx.setVariable(channel, argv.get(2), argv.get(3));
        }
        return "200 result=1";
    }

    private String getVariable(List<String> argv) {
        if (argv.size() != 3) {
            return null;
        }
        String value = pbx.readVariable(channel, argv.get(2));
        return value == null ? "200 result=0" : "200 result=1 (" + value + ")";
    }

    private String getFullVariable(List<String> argv) {
        if (argv.size() != 4 && argv.size() != 5) {
            return null;
        }
        Channel target = argv.size() == 5 ? pbx.channel(argv.get(4)) : channel;
        if (target == null) {
            return "200 result=0";
        }
        return "200 result=1 (" + pbx.substitute(target, argv.get(3)) + ")";
    }

    private String databaseGet(List<String> argv) {
        if (argv.size() != 4) {
            return null;
        }
        String value = pbx.databaseGet(argv.get(2), argv.get(3));
        return value == null ? "200 result=0" : "200 result=1 (" + value + ")";
    }

    private String databasePut(List<String> argv) {
        if (argv.size() != 5) {
            return null;
        }
        pbx.databasePut(argv.get(2), argv.get(3), argv.get(4));
        return "200 result=1";
    }

    private String databaseDel(List<String> argv) {
        if (argv.size() != 4) {
            return null;
        }
        return pbx.databaseDel(argv.get(2), argv.get(3)) ? "200 result=1" : "200 result=0";
    }

    private String databaseDelTree(List<String> argv) {
        if (argv.size() < 3 || argv.size() > 4) {
            return null;
        }
        int deleted = pbx.databaseDelTree(argv.get(2), argv.size() == 4 ? argv.get(3) : null);
        return deleted > 0 ? "200 result=0" : "200 result=1";
    }

    private String speechCreate(List<String> argv) {
        if (channel.speechCreated) {
            return "200 result=0";
        }
        channel.speechCreated = true;
        return "200 result=1";
    }

    private String speechRecognize(List<String> argv) throws ChannelMedia.Interrupted {
        if (argv.size() < 4) {
            return null;
        }
        if (!channel.speechCreated) {
            return "200 result=0";
        }
        long timeoutMs = Args.atol(argv.get(3));
        Speech.Heard heard = Speech.listen(pbx, channel, argv.get(2), timeoutMs <= 0 ? 5000 : timeoutMs);
        long endpos = pbx.promptMillis() * 8;
        if (heard.text() == null) {
            return "200 result=1 (timeout) endpos=" + endpos;
        }
        if ("dtmf".equals(heard.grammar())) {
            return "200 result=1 (digit) digit=" + heard.text().charAt(0) + " endpos=" + endpos;
        }
        return "200 result=1 (speech) endpos=" + endpos + " results=1 score0=1000 text0=\"" + heard.text()
                + "\" grammar0=" + heard.grammar();
    }

    private String gosub(List<String> argv) throws ChannelMedia.Interrupted {
        if (argv.size() < 5) {
            return null;
        }
        // the simulated dialplan has no subroutines: Gosub returns at once
        if (channel.log != null) {
            channel.log.event("app", "Gosub(" + argv.get(2) + "," + argv.get(3) + "," + argv.get(4) + ")");
        }
        return "100 result=0 Trying...\n200 result=0 Gosub complete";
    }

    private String exec(List<String> argv) throws ChannelMedia.Interrupted {
        if (argv.size() < 2) {
            return null;
        }
        String app = argv.get(1);
        String data = argv.size() >= 3 ? argv.get(2) : "";
        if (!Applications.exists(app)) {
            if (channel.log != null) {
                channel.log.application(app, data, -2);
            }
            return "200 result=-2";
        }
        String name = Applications.canonicalName(app);
        int result;
        if (channel.media.isInterrupted()) {
            result = Applications.resultOnDeadChannel(pbx, channel, name, data);
        } else {
            channel.application = name;
            channel.applicationData = data;
            try {
                result = Applications.exec(pbx, channel, name, data);
            } catch (ChannelMedia.Interrupted e) {
                result = -1;
            } finally {
                channel.application = "AGI";
                channel.applicationData = url();
            }
        }
        if (channel.log != null) {
            channel.log.application(name, data, result);
        }
        return "200 result=" + result;
    }
}
