package io.callstream.pbx;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The simulated switch: channels and their lifecycle, AMI events, FastAGI sessions, Originate,
 * variables. Everything the AMI server, the AGI sessions and the scripted parties share.
 */
final class Pbx implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Pbx.class.getName());
    static final String ASTERISK_VERSION = "20.5.0";

    private final SimulatorConfig config;
    private final long startedNanos = System.nanoTime();
    private final AtomicInteger channelSequence = new AtomicInteger();
    private final AtomicInteger callSequence = new AtomicInteger();
    private final Map<String, Channel> live = new LinkedHashMap<>();
    private final Map<String, AgentBehavior> agents = new ConcurrentHashMap<>();
    private final Map<String, CalleeLine> callees = new ConcurrentHashMap<>();
    private final List<SimCall> calls = new CopyOnWriteArrayList<>();
    private final Map<String, String> globals = new ConcurrentHashMap<>();
    private final Map<String, String> database = new ConcurrentHashMap<>();
    private final Set<AgiSession> agiSessions = ConcurrentHashMap.newKeySet();
    private final List<Consumer<Transcript>> endListeners = new CopyOnWriteArrayList<>();
    private final ThreadPoolExecutor workers;
    private final ScheduledThreadPoolExecutor timer;
    private volatile AmiServer ami;
    private volatile boolean closed;

    Pbx(SimulatorConfig config) {
        this.config = config;
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 2, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads("pbx-call-"));
        this.timer = new ScheduledThreadPoolExecutor(1, threads("pbx-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        timer.setKeepAliveTime(2, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
    }

    void startAmi() throws IOException {
        ami = new AmiServer(this, config.amiPort());
    }

    SimulatorConfig config() {
        return config;
    }

    int amiPort() {
        return ami.port();
    }

    AmiServer ami() {
        return ami;
    }

    boolean isClosed() {
        return closed;
    }

    long uptimeSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
    }

    long promptMillis() {
        return config.promptDuration().toMillis();
    }

    void onCallEnded(Consumer<Transcript> listener) {
        endListeners.add(listener);
    }

    // ------------------------------------------------------------------ parties

    void agent(String endpoint, AgentBehavior behavior) {
        agents.put(endpoint.trim().toLowerCase(Locale.ROOT), behavior);
    }

    AgentBehavior agentFor(String technologyAndResource) {
        return agents.get(technologyAndResource.trim().toLowerCase(Locale.ROOT));
    }

    /** An outside number's behaviour and how many times the switch has called it since it was registered. */
    private record CalleeLine(CalleeBehavior behavior, AtomicInteger calls) {
    }

    void callee(String number, CalleeBehavior behavior) {
        callees.put(number.trim(), new CalleeLine(behavior, new AtomicInteger()));
    }

    /** How the number behaves on this call (each call to it counts, so a sequence moves on); null if unknown. */
    CalleeBehavior calleeFor(String number) {
        CalleeLine line = callees.get(number.trim());
        return line == null ? null : line.behavior().forCall(line.calls().getAndIncrement());
    }

    List<SimCall> calls() {
        return List.copyOf(calls);
    }

    // ------------------------------------------------------------------ channels

    /** A new channel named after its endpoint; {@code uniqueId} null means epoch.sequence. */
    Channel createChannel(String endpoint, String uniqueId, String linkedId, CallLog log) {
        int seq = channelSequence.incrementAndGet();
        String name = "PJSIP/" + endpoint + "-" + String.format("%08x", seq);
        String id = uniqueId != null ? uniqueId : (System.currentTimeMillis() / 1000) + "." + seq;
        return new Channel(name, id, linkedId != null ? linkedId : id, log);
    }

    /** The channel exists from now on: listed, and announced with Newchannel. */
    void announce(Channel c) {
        synchronized (live) {
            live.put(c.name, c);
        }
        emit(AmiMessage.event("Newchannel", "call,all").channel("", c));
    }

    void newState(Channel c, Channel.State state) {
        if (c.state == state) {
            return;
        }
        c.state = state;
        emit(AmiMessage.event("Newstate", "call,all").channel("", c));
    }

    void answer(Channel c) {
        newState(c, Channel.State.UP);
        if (c.log != null) {
            c.log.event("channel", "answered");
        }
    }

    Channel channel(String name) {
        synchronized (live) {
            Channel c = live.get(name);
            if (c != null) {
                return c;
            }
            for (Channel each : live.values()) {
                if (each.name.equalsIgnoreCase(name)) {
                    return each;
                }
            }
            return null;
        }
    }

    List<Channel> liveChannels() {
        synchronized (live) {
            return new ArrayList<>(live.values());
        }
    }

    /**
     * Hangs a channel up: what runs on it is interrupted at once; the channel itself goes (with its
     * Hangup event) when nothing holds it any more. {@code remote}: the far end hung up (a BYE),
     * reported as HangupRequest; otherwise a local request, SoftHangupRequest.
     */
    boolean hangup(Channel c, int cause, String by, boolean remote) {
        if (!c.markHangup(cause, by)) {
            return false;
        }
        emit(AmiMessage.event(remote ? "HangupRequest" : "SoftHangupRequest", "call,all").channel("", c)
                .add("Cause", remote ? cause : 32));
        if (c.log != null) {
            c.log.hungUp(by, cause);
        }
        c.interrupt();
        c.hangupRequested.complete(null);
        destroyIfDone(c);
        return true;
    }

    /** AMI Hangup; false when there is no such channel (one already hung up but still held counts as there). */
    boolean hangupByName(String name, int cause) {
        Channel c = channel(name);
        if (c == null) {
            return false;
        }
        hangup(c, cause, "gateway", false);
        return true;
    }

    /** AMI Redirect: the channel leaves its application (AGI sees a hangup) and carries on at the target. */
    boolean redirect(String name, String context, String exten, int priority) {
        Channel c = channel(name);
        if (c == null || c.isHungUp()) {
            return false;
        }
        Channel.Goto target = new Channel.Goto(context == null || context.isBlank() ? c.context : context.trim(),
                exten == null || exten.isBlank() ? c.exten : exten.trim(), priority);
        if (!c.requestGoto(target)) {
            return false;
        }
        if (c.log != null) {
            c.log.event("channel", "redirected to " + target.context() + "," + target.exten() + "," + target.priority());
        }
        c.interrupt();
        return true;
    }

    /** Drops a hold taken on the channel; destroys it if it was waiting for that. */
    void release(Channel c) {
        c.release();
        destroyIfDone(c);
    }

    private void destroyIfDone(Channel c) {
        if (!c.claimDestroy()) {
            return;
        }
        synchronized (live) {
            live.remove(c.name);
        }
        c.media.interrupt();
        int cause = c.cause();
        emit(AmiMessage.event("Hangup", "call,all").channel("", c).add("Cause", cause).add("Cause-txt", Causes.text(cause)));
        c.destroyed.complete(null);
        if (c.log != null) {
            ended(c.log.finish());
        }
    }

    /** Tells the listeners about a call that is over (a null transcript: not over yet). */
    void ended(Transcript t) {
        if (t == null) {
            return;
        }
        for (Consumer<Transcript> l : endListeners) {
            try {
                l.accept(t);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "call end listener failed", e);
            }
        }
    }

    void musicOnHold(Channel c, boolean on, String mohClass) {
        if (c.onHold == on) {
            return;
        }
        c.onHold = on;
        AmiMessage m = AmiMessage.event(on ? "MusicOnHoldStart" : "MusicOnHoldStop", "call,all").channel("", c);
        if (on) {
            m.add("Class", mohClass == null ? "default" : mohClass);
        }
        emit(m);
        if (c.log != null) {
            c.log.event("hold", on ? "music on hold (" + mohClass + ")" : "music on hold stopped");
        }
    }

    /** SET AUTOHANGUP: hang up after {@code millis}; 0 cancels. */
    void autoHangup(Channel c, long millis) {
        java.util.concurrent.ScheduledFuture<?> previous = c.autoHangup;
        if (previous != null) {
            previous.cancel(false);
        }
        c.autoHangup = millis <= 0 ? null
                : schedule(() -> hangup(c, Causes.NORMAL_CLEARING, "dialplan", false), millis);
    }

    // ------------------------------------------------------------------ events

    void emit(AmiMessage event) {
        AmiServer server = ami;
        if (server != null) {
            server.broadcast(event);
        }
    }

    // ------------------------------------------------------------------ FastAGI

    /** Runs the channel's dialplan: a FastAGI session to the gateway, which holds the channel. */
    void startAgi(Channel c) {
        c.hold();
        AgiSession session = new AgiSession(this, c);
        agiSessions.add(session);
        if (!execute(session)) {
            agiSessions.remove(session);
            hangup(c, Causes.NORMAL_CLEARING, "shutdown", false);
            release(c);
        }
    }

    /** The gateway closed the session: after a redirect the channel carries on, else the dialplan hangs up. */
    void agiEnded(Channel c, AgiSession session) {
        agiSessions.remove(session);
        Channel.Goto target = c.takeGoto();
        if (target != null && !c.isHungUp() && !closed) {
            c.context = target.context();
            c.exten = target.exten();
            c.priority = target.priority();
            c.media.reset();
            c.release();
            startAgi(c);
            return;
        }
        if (!c.isHungUp()) {
            hangup(c, Causes.NORMAL_CLEARING, "dialplan", false);
        }
        release(c);
    }

    // ------------------------------------------------------------------ calls

    String nextCallId() {
        return "call-" + callSequence.incrementAndGet();
    }

    /** An inbound call: the scripted caller dials in and the dialplan hands the call to the gateway. */
    SimCall call(CallerScript script) {
        if (closed) {
            throw new IllegalStateException("the simulator is closed");
        }
        CallLog log = new CallLog(nextCallId(), "inbound", script.fromNumber(), script.toNumber());
        SimCall call = new SimCall(this, log, "caller");
        calls.add(call);
        Channel c = createChannel(config.trunk(), null, null, log);
        c.callerNum = script.fromNumber();
        c.callerName = script.callerName();
        c.dnid = script.toNumber();
        c.context = "callstream-inbound";
        c.exten = script.toNumber();
        c.state = Channel.State.RING;
        call.attach(c);
        log.attach(c);
        announce(c);
        log.actionDone("call start");
        startParty(call, c, script.steps());
        startAgi(c);
        return call;
    }

    /** Starts the party's script; the call is not over before the script is. */
    void startParty(SimCall call, Channel c, List<Step> steps) {
        call.log().partyStarted();
        if (!execute(new PartyRuntime(this, call, c, steps))) {
            hangup(c, Causes.NORMAL_CLEARING, "shutdown", false);
            ended(call.log().partyDone());
        }
    }

    // ------------------------------------------------------------------ Originate

    /** Starts an Originate; {@code async} ones announce their outcome with OriginateResponse. */
    void originate(OriginateRequest request, boolean async, Consumer<OriginateRequest.Result> done) {
        Runnable task = () -> done.accept(runOriginate(request, async));
        if (!execute(task)) {
            done.accept(new OriginateRequest.Result(false, OriginateRequest.REASON_FAILURE, null));
        }
    }

    OriginateRequest.Result originateAndWait(OriginateRequest request) {
        CompletableFuture<OriginateRequest.Result> result = new CompletableFuture<>();
        originate(request, false, result::complete);
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new OriginateRequest.Result(false, OriginateRequest.REASON_FAILURE, null);
        } catch (java.util.concurrent.ExecutionException e) {
            return new OriginateRequest.Result(false, OriginateRequest.REASON_FAILURE, null);
        }
    }

    private OriginateRequest.Result runOriginate(OriginateRequest r, boolean announce) {
        String number = r.number();
        CalleeBehavior callee = calleeFor(number);
        AgentBehavior agent = callee == null ? agentFor(r.technologyAndResource()) : null;
        CallLog log = new CallLog(nextCallId(), "outbound", r.callerIdNum() == null ? "" : r.callerIdNum(), number);
        log.variables(r.variables());
        SimCall call = new SimCall(this, log, "callee");
        calls.add(call);
        log.event("originate", r.channel() + (r.channelId() == null ? "" : " as " + r.channelId()));

        if ((callee == null && agent == null) || (agent != null && agent.kind() == AgentBehavior.Kind.UNAVAILABLE)) {
            log.event("originate", "no such number or endpoint: the request fails");
            log.outcome("FAILED");
            OriginateRequest.Result result = new OriginateRequest.Result(false, OriginateRequest.REASON_FAILURE, null);
            respond(r, result, announce);
            ended(log.finish());
            return result;
        }

        Channel c = createChannel(r.endpoint(), r.channelId(), null, log);
        c.callerNum = r.callerIdNum();
        c.callerName = r.callerIdName();
        c.connectedNum = number;
        c.context = r.context() == null ? "default" : r.context();
        c.exten = r.exten();
        c.priority = r.priority();
        r.variables().forEach((k, v) -> setVariable(c, k, v));
        call.attach(c);
        log.attach(c);
        announce(c);
        emit(AmiMessage.event("DialBegin", "call,all").channel("Dest", c).add("DialString", r.channel().substring(r.channel().indexOf('/') + 1)));
        newState(c, Channel.State.RINGING);

        // what the far end does, and when
        String kind;
        Long ringMs;
        if (callee != null) {
            kind = callee.kind().name();
            ringMs = callee.ringTime() == null ? null : callee.ringTime().toMillis();
        } else {
            kind = switch (agent.kind()) {
                case ANSWER -> "ANSWER";
                case BUSY -> "BUSY";
                default -> "NO_ANSWER";
            };
            ringMs = agent.kind() == AgentBehavior.Kind.NO_ANSWER ? null : agent.ringTime().toMillis();
        }
        long timeoutMs = r.timeoutMs() > 0 ? r.timeoutMs() : -1;
        long ringDeadline = ChannelMedia.deadlineAfterMillis(ringMs == null ? -1 : ringMs);
        long timeoutDeadline = ChannelMedia.deadlineAfterMillis(timeoutMs);
        boolean cancelled = false;
        try {
            c.media.awaitCondition(ChannelMedia.earlier(ringDeadline, timeoutDeadline), () -> false);
        } catch (ChannelMedia.Interrupted e) {
            cancelled = true;
        }
        boolean timeoutFirst = timeoutMs >= 0 && (ringMs == null || ringMs >= timeoutMs);
        String happened = cancelled ? "CANCEL" : timeoutFirst || "NO_ANSWER".equals(kind) ? "NO_ANSWER" : kind;
        if (!"ANSWER".equals(happened)) {
            String status;
            int reason;
            int cause;
            String by;
            switch (happened) {
                case "CANCEL" -> {
                    status = "CANCEL";
                    reason = OriginateRequest.REASON_HANGUP;
                    cause = c.cause();
                    by = "gateway";
                    log.outcome("CANCELLED");
                }
                case "NO_ANSWER" -> {
                    status = "NOANSWER";
                    reason = OriginateRequest.REASON_RINGING;
                    cause = Causes.NO_ANSWER;
                    by = "timeout";
                    log.outcome("NO_ANSWER");
                }
                case "BUSY" -> {
                    status = "BUSY";
                    reason = OriginateRequest.REASON_BUSY;
                    cause = Causes.USER_BUSY;
                    by = "callee";
                    log.outcome("BUSY");
                }
                case "REJECT" -> {
                    status = "NOANSWER";
                    reason = OriginateRequest.REASON_HANGUP;
                    cause = Causes.CALL_REJECTED;
                    by = "callee";
                    log.outcome("REJECTED");
                }
                case "CONGESTION" -> {
                    status = "CONGESTION";
                    reason = OriginateRequest.REASON_CONGESTION;
                    cause = Causes.CONGESTION;
                    by = "network";
                    log.outcome("CONGESTION");
                }
                default -> {
                    status = "CHANUNAVAIL";
                    reason = OriginateRequest.REASON_FAILURE;
                    cause = 3;
                    by = "network";
                    log.outcome("FAILED");
                }
            }
            emit(AmiMessage.event("DialEnd", "call,all").channel("Dest", c).add("DialStatus", status));
            log.event("originate", "not answered: " + status);
            hangup(c, cause, by, !"timeout".equals(by));
            OriginateRequest.Result result = new OriginateRequest.Result(false, reason, c);
            respond(r, result, announce);
            return result;
        }

        newState(c, Channel.State.UP);
        emit(AmiMessage.event("DialEnd", "call,all").channel("Dest", c).add("DialStatus", "ANSWER"));
        log.outcome("ANSWERED");
        log.event("channel", "answered");
        OriginateRequest.Result result = new OriginateRequest.Result(true, OriginateRequest.REASON_ANSWERED, c);
        respond(r, result, announce);
        log.actionDone("answer");
        List<Step> steps;
        if (callee != null) {
            steps = callee.steps();
        } else {
            steps = agent.talkTime() == null ? List.of() : List.of(new Step.Pause(agent.talkTime()), new Step.Hangup());
        }
        startParty(call, c, steps);
        if (r.application() != null && !r.application().equalsIgnoreCase("AGI")) {
            runApplication(c, r.application(), r.data());
        } else {
            startAgi(c);
        }
        return result;
    }

    /** Originate with Application (other than AGI): run it, then the call ends. */
    private void runApplication(Channel c, String application, String data) {
        c.application = application;
        c.applicationData = data == null ? "" : data;
        int result;
        if (!Applications.exists(application)) {
            result = -2;
        } else {
            try {
                result = Applications.exec(this, c, Applications.canonicalName(application), data == null ? "" : data);
            } catch (ChannelMedia.Interrupted e) {
                result = -1;
            }
        }
        if (c.log != null) {
            c.log.application(application, data == null ? "" : data, result);
        }
        hangup(c, Causes.NORMAL_CLEARING, "dialplan", false);
    }

    private void respond(OriginateRequest r, OriginateRequest.Result result, boolean announce) {
        if (!announce) {
            return;
        }
        AmiMessage m = AmiMessage.event("OriginateResponse", "call,all");
        if (r.actionId() != null && !r.actionId().isEmpty()) {
            m.add("ActionID", r.actionId());
        }
        m.add("Response", result.success() ? "Success" : "Failure");
        m.add("Channel", result.success() ? result.channel().name : r.channel());
        if (r.application() != null) {
            m.add("Application", r.application()).add("Data", r.data() == null ? "" : r.data());
        } else {
            m.add("Context", r.context()).add("Exten", r.exten());
        }
        m.add("Reason", result.reason());
        m.add("Uniqueid", result.channel() != null ? result.channel().uniqueId
                : r.channelId() != null ? r.channelId() : "<unknown>");
        m.add("CallerIDNum", r.callerIdNum() == null || r.callerIdNum().isEmpty() ? "<unknown>" : r.callerIdNum());
        m.add("CallerIDName", r.callerIdName() == null || r.callerIdName().isEmpty() ? "<unknown>" : r.callerIdName());
        emit(m);
    }

    // ------------------------------------------------------------------ variables

    /** GET VARIABLE: a channel variable, a few dialplan functions and built-ins; null when unset. */
    String readVariable(Channel c, String name) {
        String n = name.trim();
        String upper = n.toUpperCase(Locale.ROOT);
        int paren = n.indexOf('(');
        if (paren > 0 && n.endsWith(")")) {
            String function = upper.substring(0, paren);
            String arg = n.substring(paren + 1, n.length() - 1).trim();
            return function(c, function, arg);
        }
        String value = c.variables.get(n);
        if (value != null) {
            return value;
        }
        return switch (upper) {
            case "CHANNEL" -> c.name;
            case "UNIQUEID" -> c.uniqueId;
            case "EXTEN" -> c.exten;
            case "CONTEXT" -> c.context;
            case "PRIORITY" -> String.valueOf(c.priority);
            case "CALLERID", "CALLERIDNUM" -> c.callerNum;
            case "CALLERIDNAME" -> c.callerName;
            case "HANGUPCAUSE" -> c.isHungUp() ? String.valueOf(c.cause()) : "0";
            case "EPOCH" -> String.valueOf(System.currentTimeMillis() / 1000);
            case "LANGUAGE" -> "en";
            default -> globals.get(n);
        };
    }

    private String function(Channel c, String function, String arg) {
        String a = arg.toLowerCase(Locale.ROOT);
        return switch (function) {
            case "CALLERID" -> switch (a) {
                case "num", "number" -> c.callerNum == null ? "" : c.callerNum;
                case "name" -> c.callerName == null ? "" : c.callerName;
                case "all" -> "\"" + (c.callerName == null ? "" : c.callerName) + "\" <" + (c.callerNum == null ? "" : c.callerNum) + ">";
                case "dnid" -> c.dnid;
                default -> null;
            };
            case "CONNECTEDLINE" -> switch (a) {
                case "num", "number" -> c.connectedNum == null ? "" : c.connectedNum;
                case "name" -> c.connectedName == null ? "" : c.connectedName;
                default -> null;
            };
            case "CHANNEL" -> switch (a) {
                case "name" -> c.name;
                case "uniqueid" -> c.uniqueId;
                case "linkedid" -> c.linkedId;
                case "state" -> c.state.description;
                case "language" -> "en";
                case "channeltype" -> "PJSIP";
                case "musicclass" -> "default";
                default -> null;
            };
            case "SPEECH_TEXT" -> c.speechResults > Args.atol(arg) ? c.speechText : null;
            case "SPEECH_GRAMMAR" -> c.speechResults > Args.atol(arg) ? c.speechGrammar : null;
            case "SPEECH_SCORE" -> c.speechResults > Args.atol(arg) ? "1000" : null;
            case "SPEECH" -> switch (a) {
                case "status" -> c.speechCreated ? "1" : "0";
                case "spoke" -> c.speechResults > 0 ? "1" : "0";
                case "results" -> String.valueOf(c.speechResults);
                default -> null;
            };
            case "DB" -> {
                int slash = arg.indexOf('/');
                yield slash < 0 ? null : databaseGet(arg.substring(0, slash), arg.substring(slash + 1));
            }
            case "EXISTS" -> readVariable(c, arg) == null ? "0" : "1";
            case "LEN" -> String.valueOf(arg.length());
            default -> null;
        };
    }

    void setVariable(Channel c, String name, String value) {
        String n = name.trim();
        while (n.startsWith("_")) {
            n = n.substring(1);
        }
        String upper = n.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "CALLERID(NUM)", "CALLERID(NUMBER)" -> c.callerNum = value;
            case "CALLERID(NAME)" -> c.callerName = value;
            case "CONNECTEDLINE(NUM)" -> c.connectedNum = value;
            case "CONNECTEDLINE(NAME)" -> c.connectedName = value;
            default -> {
                if (upper.startsWith("DB(") && upper.endsWith(")")) {
                    String key = n.substring(3, n.length() - 1);
                    int slash = key.indexOf('/');
                    if (slash > 0) {
                        databasePut(key.substring(0, slash), key.substring(slash + 1), value);
                    }
                } else {
                    c.variables.put(n, value);
                }
            }
        }
    }

    String globalVariable(String name) {
        return globals.get(name);
    }

    void setGlobalVariable(String name, String value) {
        globals.put(name, value);
    }

    /** ${NAME} substitution for GET FULL VARIABLE (no nesting, no offsets). */
    String substitute(Channel c, String expression) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < expression.length()) {
            int start = expression.indexOf("${", i);
            if (start < 0) {
                sb.append(expression, i, expression.length());
                break;
            }
            int end = expression.indexOf('}', start + 2);
            if (end < 0) {
                sb.append(expression, i, expression.length());
                break;
            }
            sb.append(expression, i, start);
            String value = readVariable(c, expression.substring(start + 2, end));
            sb.append(value == null ? "" : value);
            i = end + 1;
        }
        return sb.toString();
    }

    String databaseGet(String family, String key) {
        return database.get(family + "/" + key);
    }

    void databasePut(String family, String key, String value) {
        database.put(family + "/" + key, value);
    }

    boolean databaseDel(String family, String key) {
        return database.remove(family + "/" + key) != null;
    }

    int databaseDelTree(String family, String keyTree) {
        String prefix = family + "/" + (keyTree == null ? "" : keyTree);
        List<String> keys = database.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
        keys.forEach(database::remove);
        return keys.size();
    }

    // ------------------------------------------------------------------ threads

    boolean execute(Runnable task) {
        if (closed) {
            return false;
        }
        try {
            workers.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    java.util.concurrent.ScheduledFuture<?> schedule(Runnable task, long millis) {
        if (closed) {
            return null;
        }
        try {
            return timer.schedule(task, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        AmiServer server = ami;
        for (Channel c : liveChannels()) {
            hangup(c, Causes.NORMAL_CLEARING, "shutdown", false);
        }
        for (AgiSession s : agiSessions) {
            s.abort();
        }
        workers.shutdownNow();
        timer.shutdownNow();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "simulator threads still running after close");
            }
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // calls that never got their end (their threads were stopped) end now
        for (SimCall call : calls) {
            call.forceEnd();
        }
        if (server != null) {
            server.close();
        }
    }
}
