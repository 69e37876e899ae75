package io.callstream.pbx;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One AMI connection: a reader thread that parses packets and runs actions, and a writer thread that
 * sends responses and events in order. Replies follow Asterisk 20's manager.c: Response first, then
 * ActionID, then the rest.
 */
final class AmiSession {
    private static final System.Logger LOG = System.getLogger(AmiSession.class.getName());
    static final String BANNER = "Asterisk Call Manager/9.0.0\r\n";
    static final String AMI_VERSION = "9.0.0";
    /** Longest line accepted, as Asterisk's 1025-byte input buffer; longer lines make the packet fail to parse. */
    static final int MAX_LINE = 1024;
    /** Asterisk keeps at most this many headers per packet. */
    static final int MAX_HEADERS = 128;
    /** Like Asterisk's authtimeout: a connection that has not logged in by then is closed. */
    static final int AUTH_TIMEOUT_MS = 30_000;
    /** Packets queued for a client that does not read; beyond this the client is dropped. */
    static final int MAX_QUEUED = 20_000;
    private static final String CLOSE = new String("close");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AmiServer server;
    private final Pbx pbx;
    private final Socket socket;
    private final int id;
    private final BlockingQueue<String> outbox = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Thread reader;
    private final Thread writer;
    private volatile boolean authenticated;
    private volatile boolean eventsOn = true;
    private volatile boolean closing;
    private String challenge;

    AmiSession(AmiServer server, Pbx pbx, Socket socket, int id) {
        this.server = server;
        this.pbx = pbx;
        this.socket = socket;
        this.id = id;
        this.reader = new Thread(this::readLoop, "pbx-ami-" + id + "-reader");
        this.writer = new Thread(this::writeLoop, "pbx-ami-" + id + "-writer");
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    void start() {
        send(BANNER);
        writer.start();
        reader.start();
    }

    boolean wantsEvents() {
        return authenticated && eventsOn && !closing;
    }

    /** Queues a packet; a client that stopped reading is dropped. */
    void send(String packet) {
        if (closing) {
            return;
        }
        if (!outbox.offer(packet)) {
            LOG.log(Level.WARNING, "AMI client " + id + " is not reading its events; closing it");
            abort();
        }
    }

    private void send(AmiMessage m) {
        send(m.wire());
    }

    /** Closes the connection at once (network drop). */
    void abort() {
        closing = true;
        AmiServer.closeQuietly(socket);
        writer.interrupt();
    }

    void join() {
        AmiServer.join(reader);
        AmiServer.join(writer);
    }

    private void writeLoop() {
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            while (true) {
                String packet = outbox.take();
                if (packet == CLOSE) {
                    out.flush();
                    break;
                }
                out.write(packet.getBytes(StandardCharsets.UTF_8));
                if (outbox.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closing = true;
            AmiServer.closeQuietly(socket);
        }
    }

    private void readLoop() {
        try {
            socket.setSoTimeout(AUTH_TIMEOUT_MS);
            LineReader lines = new LineReader(socket.getInputStream(), MAX_LINE);
            List<String[]> headers = new ArrayList<>();
            boolean tooLong = false;
            boolean tooMany = false;
            LineReader.Line line;
            while (!closing && (line = lines.readLine()) != null) {
                if (line.tooLong()) {
                    tooLong = true;
                    continue;
                }
                String text = line.text();
                if (!text.isEmpty()) {
                    if (headers.size() < MAX_HEADERS) {
                        int colon = text.indexOf(':');
                        if (colon > 0) {
                            headers.add(new String[] {text.substring(0, colon).trim(), text.substring(colon + 1).stripLeading()});
                        } else {
                            headers.add(new String[] {text.trim(), ""});
                        }
                    } else {
                        tooMany = true;
                    }
                    continue;
                }
                boolean keepGoing;
                if (tooLong) {
                    send(AmiMessage.error(header(headers, "ActionID"), "Failed to parse message: line too long"));
                    keepGoing = true;
                } else if (tooMany) {
                    send(AmiMessage.error(header(headers, "ActionID"), "Too many lines in message or allocation failure"));
                    keepGoing = true;
                } else {
                    keepGoing = process(headers);
                }
                headers.clear();
                tooLong = false;
                tooMany = false;
                if (!keepGoing) {
                    send(CLOSE);
                    return;
                }
            }
        } catch (IOException e) {
            // abrupt disconnect: nothing to answer
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "AMI session " + id + " failed", e);
        } finally {
            if (!closing) {
                closing = true;
                outbox.offer(CLOSE);
            }
            server.removed(this);
        }
    }

    /** Runs one action; false when the connection must close afterwards. */
    private boolean process(List<String[]> headers) {
        String action = header(headers, "Action");
        String actionId = header(headers, "ActionID");
        if (action == null || action.isEmpty()) {
            send(AmiMessage.error(actionId, "Missing action in request"));
            return true;
        }
        String a = action.toLowerCase(Locale.ROOT);
        if (!authenticated && !a.equals("login") && !a.equals("logoff") && !a.equals("challenge")) {
            send(AmiMessage.error(actionId, "Permission denied"));
            return true;
        }
        try {
            return switch (a) {
                case "challenge" -> challenge(headers, actionId);
                case "login" -> login(headers, actionId);
                case "logoff" -> {
                    send(AmiMessage.response("Goodbye", actionId).add("Message", "Thanks for all the fish."));
                    yield false;
                }
                case "ping" -> {
                    long now = System.currentTimeMillis();
                    send(AmiMessage.success(actionId, null).add("Ping", "Pong")
                            .add("Timestamp", String.format(Locale.ROOT, "%d.%06d", now / 1000, (now % 1000) * 1000)));
                    yield true;
                }
                case "coresettings" -> coreSettings(actionId);
                case "events" -> events(headers, actionId);
                case "command" -> command(headers, actionId);
                case "originate" -> originate(headers, actionId);
                case "hangup" -> hangup(headers, actionId);
                case "redirect" -> redirect(headers, actionId);
                case "coreshowchannels" -> coreShowChannels(actionId);
                case "getvar" -> getvar(headers, actionId);
                case "setvar" -> setvar(headers, actionId);
                default -> {
                    send(AmiMessage.error(actionId, "Invalid/unknown command"));
                    yield true;
                }
            };
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "AMI action " + action + " failed", e);
            send(AmiMessage.error(actionId, "Internal error: " + e.getMessage()));
            return true;
        }
    }

    private boolean challenge(List<String[]> headers, String actionId) {
        if (!"md5".equalsIgnoreCase(header(headers, "AuthType"))) {
            send(AmiMessage.error(actionId, "Must specify AuthType"));
            return true;
        }
        if (challenge == null) {
            challenge = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE);
        }
        send(AmiMessage.success(actionId, null).add("Challenge", challenge));
        return true;
    }

    private boolean login(List<String[]> headers, String actionId) {
        String user = header(headers, "Username");
        boolean ok = pbx.config().amiUsername().equals(user);
        if (ok) {
            String key = header(headers, "Key");
            if ("md5".equalsIgnoreCase(header(headers, "AuthType")) && key != null) {
                ok = challenge != null && md5Hex(challenge + pbx.config().amiSecret()).equalsIgnoreCase(key.trim());
            } else {
                ok = pbx.config().amiSecret().equals(header(headers, "Secret"));
            }
        }
        if (!ok) {
            // Asterisk answers and then closes the session
            send(AmiMessage.error(actionId, "Authentication failed"));
            return false;
        }
        String events = header(headers, "Events");
        eventsOn = events == null || !"off".equalsIgnoreCase(events.trim());
        send(AmiMessage.success(actionId, "Authentication accepted"));
        authenticated = true;
        try {
            socket.setSoTimeout(0);
        } catch (java.net.SocketException e) {
            // the connection is going away anyway
        }
        long uptime = pbx.uptimeSeconds();
        send(AmiMessage.event("FullyBooted", "system,all").add("Uptime", uptime).add("LastReload", uptime)
                .add("Status", "Fully Booted"));
        return true;
    }

    private boolean coreSettings(String actionId) {
        send(AmiMessage.success(actionId, null)
                .add("AMIversion", AMI_VERSION)
                .add("AsteriskVersion", Pbx.ASTERISK_VERSION)
                .add("SystemName", "")
                .add("CoreMaxCalls", 0)
                .add("CoreMaxLoadAvg", "0.000000")
                .add("CoreRunUser", "asterisk")
                .add("CoreRunGroup", "asterisk")
                .add("CoreMaxFilehandles", 0)
                .add("CoreRealTimeEnabled", "No")
                .add("CoreCDRenabled", "Yes")
                .add("CoreHTTPenabled", "No")
                .add("SoundsSearchCustomDir", "No"));
        return true;
    }

    private boolean events(List<String[]> headers, String actionId) {
        String mask = header(headers, "EventMask");
        eventsOn = mask == null || !"off".equalsIgnoreCase(mask.trim());
        send(AmiMessage.response("Success", actionId).add("Events", eventsOn ? "On" : "Off"));
        return true;
    }

    private boolean command(List<String[]> headers, String actionId) {
        String command = header(headers, "Command");
        if (command == null || command.isBlank()) {
            send(AmiMessage.error(actionId, "No command provided"));
        } else if (command.trim().equalsIgnoreCase("core show version")) {
            send(AmiMessage.success(actionId, "Command output follows")
                    .add("Output", "Asterisk " + Pbx.ASTERISK_VERSION + " built by pbx-simulator"));
        } else {
            send(AmiMessage.error(actionId, "Command output follows")
                    .add("Output", "No such command '" + command.trim() + "' (type 'core show help "
                            + command.trim() + "' for other possible commands)"));
        }
        return true;
    }

    private boolean originate(List<String[]> headers, String actionId) {
        String channel = header(headers, "Channel");
        if (channel == null || channel.isBlank()) {
            send(AmiMessage.error(actionId, "Channel not specified"));
            return true;
        }
        channel = channel.trim();
        int slash = channel.indexOf('/');
        if (slash <= 0 || slash == channel.length() - 1) {
            send(AmiMessage.error(actionId, "Invalid channel"));
            return true;
        }
        String application = header(headers, "Application");
        String context = header(headers, "Context");
        String exten = header(headers, "Exten");
        String priorityText = header(headers, "Priority");
        int priority = 1;
        if (priorityText != null && !priorityText.isBlank()) {
            Integer p = Args.parseInt(priorityText);
            if (p == null || p < 1) {
                send(AmiMessage.error(actionId, "Invalid priority"));
                return true;
            }
            priority = p;
        }
        if ((application == null || application.isBlank()) && (exten == null || exten.isBlank())) {
            send(AmiMessage.error(actionId, "Exten not specified"));
            return true;
        }
        long timeout = 30_000;
        String timeoutText = header(headers, "Timeout");
        if (timeoutText != null && !timeoutText.isBlank()) {
            Integer t = Args.parseInt(timeoutText);
            if (t == null || t < 0) {
                send(AmiMessage.error(actionId, "Invalid timeout"));
                return true;
            }
            timeout = t;
        }
        String[] callerId = parseCallerId(header(headers, "CallerID"));
        Map<String, String> variables = new LinkedHashMap<>();
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase("Variable")) {
                for (String assignment : Args.appArgs(h[1], ',')) {
                    int eq = assignment.indexOf('=');
                    if (eq > 0) {
                        variables.put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1));
                    }
                }
            }
        }
        String channelId = header(headers, "ChannelId");
        OriginateRequest request = new OriginateRequest(channel,
                application == null || application.isBlank() ? emptyToDefault(context, "default") : null,
                exten == null || exten.isBlank() ? "s" : exten.trim(), priority,
                application == null || application.isBlank() ? null : application.trim(), header(headers, "Data"),
                timeout, callerId[1], callerId[0], channelId == null || channelId.isBlank() ? null : channelId.trim(),
                variables, actionId);
        if (Args.isTrue(header(headers, "Async"))) {
            send(AmiMessage.success(actionId, "Originate successfully queued"));
            pbx.originate(request, true, result -> { });
        } else {
            // a synchronous Originate holds this session until the call is answered or fails, as on Asterisk
            OriginateRequest.Result result = pbx.originateAndWait(request);
            send(result.success() ? AmiMessage.success(actionId, "Originate successfully queued")
                    : AmiMessage.error(actionId, "Originate failed"));
        }
        return true;
    }

    private boolean hangup(List<String[]> headers, String actionId) {
        String name = header(headers, "Channel");
        if (name == null || name.isBlank()) {
            send(AmiMessage.error(actionId, "No channel specified"));
            return true;
        }
        Integer cause = Args.parseInt(header(headers, "Cause"));
        if (pbx.hangupByName(name.trim(), cause == null ? Causes.NORMAL_CLEARING : cause)) {
            send(AmiMessage.success(actionId, "Channel Hungup"));
        } else {
            send(AmiMessage.error(actionId, "No such channel"));
        }
        return true;
    }

    private boolean redirect(List<String[]> headers, String actionId) {
        String name = header(headers, "Channel");
        if (name == null || name.isBlank()) {
            send(AmiMessage.error(actionId, "Channel not specified"));
            return true;
        }
        String exten = header(headers, "Exten");
        String context = header(headers, "Context");
        Integer priority = Args.parseInt(header(headers, "Priority"));
        if (header(headers, "Priority") != null && (priority == null || priority < 1)) {
            send(AmiMessage.error(actionId, "Invalid priority"));
            return true;
        }
        if (pbx.redirect(name.trim(), context, exten, priority == null ? 1 : priority)) {
            send(AmiMessage.success(actionId, "Redirect successful"));
        } else {
            send(AmiMessage.error(actionId, "Channel does not exist: " + name.trim()));
        }
        return true;
    }

    private boolean coreShowChannels(String actionId) {
        List<Channel> channels = pbx.liveChannels();
        send(AmiMessage.success(actionId, null).add("EventList", "start").add("Message", "Channels will follow"));
        for (Channel c : channels) {
            long age = c.ageSeconds();
            send(AmiMessage.listEvent("CoreShowChannel", actionId).channel("", c)
                    .add("BridgeId", c.bridgeId)
                    .add("Application", c.application)
                    .add("ApplicationData", c.applicationData)
                    .add("Duration", String.format(Locale.ROOT, "%02d:%02d:%02d", age / 3600, (age / 60) % 60, age % 60)));
        }
        send(AmiMessage.listEvent("CoreShowChannelsComplete", actionId).add("EventList", "Complete")
                .add("ListItems", channels.size()));
        return true;
    }

    private boolean getvar(List<String[]> headers, String actionId) {
        String variable = header(headers, "Variable");
        if (variable == null || variable.isBlank()) {
            send(AmiMessage.error(actionId, "No variable specified"));
            return true;
        }
        String name = header(headers, "Channel");
        String value;
        if (name == null || name.isBlank()) {
            value = pbx.globalVariable(variable.trim());
        } else {
            Channel c = pbx.channel(name.trim());
            if (c == null) {
                send(AmiMessage.error(actionId, "No such channel"));
                return true;
            }
            value = pbx.readVariable(c, variable.trim());
        }
        send(AmiMessage.success(actionId, null).add("Variable", variable.trim()).add("Value", value == null ? "" : value));
        return true;
    }

    private boolean setvar(List<String[]> headers, String actionId) {
        String variable = header(headers, "Variable");
        if (variable == null || variable.isBlank()) {
            send(AmiMessage.error(actionId, "No variable specified"));
            return true;
        }
        String value = header(headers, "Value");
        String name = header(headers, "Channel");
        if (name == null || name.isBlank()) {
            pbx.setGlobalVariable(variable.trim(), value == null ? "" : value);
        } else {
            Channel c = pbx.channel(name.trim());
            if (c == null) {
                send(AmiMessage.error(actionId, "No such channel"));
                return true;
            }
            pbx.setVariable(c, variable.trim(), value == null ? "" : value);
        }
        send(AmiMessage.success(actionId, "Variable Set"));
        return true;
    }

    /** The first header of that name (case-insensitive), or null. */
    private static String header(List<String[]> headers, String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                return h[1];
            }
        }
        return null;
    }

    private static String emptyToDefault(String s, String fallback) {
        return s == null || s.isBlank() ? fallback : s.trim();
    }

    /** {@code "Name" <number>} or a bare number: [name, number]. */
    static String[] parseCallerId(String callerId) {
        if (callerId == null || callerId.isBlank()) {
            return new String[] {null, null};
        }
        String s = callerId.trim();
        int lt = s.indexOf('<');
        int gt = s.indexOf('>', lt + 1);
        if (lt >= 0 && gt > lt) {
            String name = s.substring(0, lt).trim();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1);
            }
            return new String[] {name.isEmpty() ? null : name, s.substring(lt + 1, gt).trim()};
        }
        if (s.chars().allMatch(ch -> Character.isDigit(ch) || ch == '+' || ch == '*' || ch == '#')) {
            return new String[] {null, s};
        }
        return new String[] {s, null};
    }

    static String md5Hex(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
