package io.callstream.ivr.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.callstream.contracts.Json;
import io.callstream.contracts.call.AnswerCall;
import io.callstream.contracts.call.BridgeEnded;
import io.callstream.contracts.call.CallAnswered;
import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.CallTransferred;
import io.callstream.contracts.call.CollectDigits;
import io.callstream.contracts.call.CommandFailed;
import io.callstream.contracts.call.CommandFailureReason;
import io.callstream.contracts.call.DialExternal;
import io.callstream.contracts.call.DialFailed;
import io.callstream.contracts.call.DigitsCollected;
import io.callstream.contracts.call.DigitsCompletion;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.PlayPrompt;
import io.callstream.contracts.call.Prompt;
import io.callstream.contracts.call.PromptPlayed;
import io.callstream.contracts.call.RecognizeSpeech;
import io.callstream.contracts.call.SpeechRecognized;
import io.callstream.contracts.call.StartHold;
import io.callstream.contracts.call.StopHold;
import io.callstream.contracts.call.TransferExtension;
import io.callstream.contracts.ivr.InputKind;
import io.callstream.contracts.ivr.InputOutcome;
import io.callstream.contracts.ivr.IvrInputCollected;
import io.callstream.contracts.ivr.IvrNodeEntered;
import io.callstream.contracts.ivr.IvrSessionEnded;
import io.callstream.contracts.ivr.IvrSessionStarted;
import io.callstream.contracts.ivr.IvrVariableSet;
import io.callstream.contracts.ivr.SatisfactionCollected;
import io.callstream.contracts.ivr.SessionOutcome;
import io.callstream.contracts.ivr.TransferRequested;
import io.callstream.contracts.ivr.UnboundNumberCalled;
import io.callstream.contracts.routing.CallConnected;
import io.callstream.contracts.routing.CallQueued;
import io.callstream.contracts.routing.QueueExitReason;
import io.callstream.contracts.routing.QueueExited;
import io.callstream.contracts.routing.QueuePositionChanged;
import io.callstream.ivr.config.IvrConfig;
import io.callstream.ivr.domain.Flow;
import io.callstream.ivr.domain.FlowVersion;
import io.callstream.ivr.domain.IvrSession;
import io.callstream.ivr.domain.NumberBinding;
import io.callstream.ivr.flow.Condition;
import io.callstream.ivr.flow.NodeDocument;
import io.callstream.ivr.flow.NodeType;
import io.callstream.ivr.records.CallRecords;
import io.callstream.ivr.service.FlowService;
import io.callstream.servicekit.consumer.EventHandler;
import io.callstream.servicekit.consumer.IncomingEvent;
import io.callstream.servicekit.outbox.Outbox;
import io.callstream.servicekit.tx.AfterCommit;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs IVR sessions from call events: {@code CallStarted} opens a session on the flow version bound to
 * the called number (inbound) or named by the originate (outbound), then each node issues call
 * commands and the session advances on their results. Every step — session row, commands, IVR
 * events — commits in the caller's transaction (the idempotent consumer's), commands and events through
 * the outbox, so a crash loses nothing and a redelivered event changes nothing.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class IvrEngine {
    private static final Logger LOG = Logger.getLogger(IvrEngine.class);
    /** Outbound originates carry the flow to run as this variable (outbound-service sets it). */
    public static final String FLOW_VARIABLE = "callstream.flowId";
    /** More steps than this without waiting for the call means a flow bug: stop rather than spin. */
    private static final int MAX_STEPS = 500;

    private final Outbox outbox;
    private final IvrConfig config;
    private final HttpCalls http;
    private final TransactionSynchronizationRegistry transactions;
    private final CallRecords records;
    private final SessionStore sessions;
    private final Map<FlowVersion.Key, RunnableFlow> flows = new ConcurrentHashMap<>();

    IvrEngine(Outbox outbox, IvrConfig config, HttpCalls http, TransactionSynchronizationRegistry transactions,
              CallRecords records, SessionStore sessions) {
        this.outbox = outbox;
        this.sessions = sessions;
        this.records = records;
        this.config = config;
        this.http = http;
        this.transactions = transactions;
    }

    /**
     * HTTP calls that were under way when the service stopped are made again (their sessions wait at
     * the HTTP-call node with an {@code http:} token): the flow goes on rather than hanging.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    void resumeHttpCalls(@Observes StartupEvent ignored) {
        List<IvrSession> waiting = sessions.waitingForHttp();
        for (IvrSession s : waiting) {
            RunnableFlow flow = flow(s.flowId, s.flowVersion);
            if (flow != null) {
                LOG.infof("call %s: making the HTTP call of node %s again after a restart", s.callId, s.nodeId);
                Step step = new Step(s, read(s.state), flow);
                HttpCalls.Request request = step.httpRequest(s.pendingCommand);
                afterCommit(() -> http.start(request));
            }
        }
    }

    /**
     * An HTTP call's outcome: for the HTTP-call node, reply fields (or defaults, when every try failed)
     * into variables, then on; for transfer external, the number to dial (or the fallback).
     */
    public void httpFinished(String callId, String token, JsonNode reply, String problem) {
        IvrSession s = running(callId);
        if (s == null || !token.equals(s.pendingCommand)) {
            return;
        }
        RunnableFlow flow = flow(s.flowId, s.flowVersion);
        Step step = new Step(s, read(s.state), flow);
        s.pendingCommand = null;
        NodeDocument n = step.node();
        if ("transferExternal".equals(n.type())) {
            String number = reply == null ? null : HttpCalls.at(reply, "number");
            if (number == null || !number.matches("\\+?[0-9]{2,20}")) {
                LOG.warnf("call %s: the number callback gave %s; dialling the fallback number", callId,
                        number == null ? (problem == null ? "no number" : problem) : "'" + number + "'");
                number = step.text("fallbackNumber", null);
            }
            step.state.variables.put("sys.transferNumber", number);
            step.holdThenDial();
            step.save(false);
            return;
        }
        JsonNode outputs = n.settings().get("outputs");
        if (outputs != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = outputs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> o = it.next();
                String value = reply == null ? null : HttpCalls.at(reply, o.getValue().get("path").asText());
                if (value == null) {
                    JsonNode fallback = o.getValue().get("default");
                    value = fallback == null || fallback.isNull() ? "" : fallback.asText();
                }
                step.setVariable(o.getKey(), value);
            }
        }
        step.enter(step.exit("next"));
        step.save(false);
    }

    /** Every command and IVR event goes out through the outbox, and into the call's record. */
    private void publish(String callId, Record event) {
        outbox.publish(callId, event);
        records.published(callId, event);
    }

    private void afterCommit(Runnable task) {
        AfterCommit.run(transactions, task);
    }

    /** The sessions these events will move, read with the transaction's processed-event insert. */
    public EventHandler.Prefetch prefetch(List<IncomingEvent> events) {
        List<String> calls = new java.util.ArrayList<>(events.size());
        for (IncomingEvent e : events) {
            calls.add(e.subject()); // call and routing events are keyed, and their subject is, by call id
        }
        return sessions.prefetch(calls);
    }

    /** One call event, inside the consumer's transaction. */
    public void handle(IncomingEvent event) {
        String type = event.type();
        if (CallStarted.TYPE.equals(type)) {
            started(event.data(CallStarted.class));
        } else if (CallEnded.TYPE.equals(type)) {
            ended(event.data(CallEnded.class));
        } else if (CallAnswered.TYPE.equals(type)) {
            CallAnswered a = event.data(CallAnswered.class);
            result(a.callId(), a.commandId(), a);
        } else if (PromptPlayed.TYPE.equals(type)) {
            PromptPlayed p = event.data(PromptPlayed.class);
            result(p.callId(), p.commandId(), p);
        } else if (DigitsCollected.TYPE.equals(type)) {
            DigitsCollected d = event.data(DigitsCollected.class);
            result(d.callId(), d.commandId(), d);
        } else if (SpeechRecognized.TYPE.equals(type)) {
            SpeechRecognized s = event.data(SpeechRecognized.class);
            result(s.callId(), s.commandId(), s);
        } else if (DialFailed.TYPE.equals(type)) {
            DialFailed d = event.data(DialFailed.class);
            result(d.callId(), d.commandId(), d);
        } else if (BridgeEnded.TYPE.equals(type)) {
            BridgeEnded b = event.data(BridgeEnded.class);
            if (!agentLegEnded(b)) {
                result(b.callId(), b.commandId(), b);
            }
        } else if (CallConnected.TYPE.equals(type)) {
            CallConnected c = event.data(CallConnected.class);
            queued(c.callId(), c);
        } else if (QueueExited.TYPE.equals(type)) {
            QueueExited q = event.data(QueueExited.class);
            queued(q.callId(), q);
        } else if (CallQueued.TYPE.equals(type) || QueuePositionChanged.TYPE.equals(type)) {
            int position;
            Integer estimate;
            if (CallQueued.TYPE.equals(type)) {
                CallQueued q = event.data(CallQueued.class);
                position = q.position();
                estimate = q.estimatedWaitSeconds();
            } else {
                QueuePositionChanged q = event.data(QueuePositionChanged.class);
                position = q.position();
                estimate = q.estimatedWaitSeconds();
            }
            IvrSession s = running(event.subject());
            if (s != null) {
                SessionState state = read(s.state);
                state.variables.put("sys.queuePosition", String.valueOf(position));
                if (estimate != null) {
                    state.variables.put("sys.estimatedWaitSeconds", String.valueOf(estimate));
                } else {
                    state.variables.remove("sys.estimatedWaitSeconds");
                }
                s.state = write(state);
                if (CallQueued.TYPE.equals(type) && s.announceAt != null && "queue".equals(state.phase)) {
                    s.announceAt = Instant.now(); // the first announcement as the caller joins, then every interval
                }
            }
        } else if (CommandFailed.TYPE.equals(type)) {
            CommandFailed f = event.data(CommandFailed.class);
            result(f.callId(), f.commandId(), f);
        } else if (CallTransferred.TYPE.equals(type)) {
            LOG.debugf("call %s: transferred (%s)", event.subject(), type); // the dial's end moves the session on
        }
    }

    // ------------------------------------------------------------------ session life

    private void started(CallStarted call) {
        if (hadSession(call.callId())) {
            return; // a second CallStarted for the same call (another event id): the session runs already
        }
        RunnableFlow flow = flowFor(call);
        if (flow == null) {
            unbound(call);
            return;
        }
        IvrSession s = new IvrSession();
        s.id = UUID.randomUUID();
        s.callId = call.callId();
        s.flowId = flow.flowId;
        s.flowVersion = flow.version;
        s.status = IvrSession.RUNNING;
        s.startedAt = Instant.now();
        SessionState state = new SessionState();
        state.direction = call.direction();
        state.callerNumber = call.from();
        state.calledNumber = call.to();
        state.attemptId = call.attemptId();
        state.flowName = flow.document.name();
        if (call.variables() != null) {
            call.variables().forEach((k, v) -> {
                if (!FLOW_VARIABLE.equals(k)) {
                    state.variables.put(k, v == null ? "" : v);
                }
            });
        }
        publish(call.callId(), new IvrSessionStarted(call.callId(), s.id.toString(), flow.flowId.toString(),
                flow.document.name(), flow.version, call.direction(), call.from(), call.to(), call.attemptId()));
        Step step = new Step(s, state, flow);
        if (call.direction() == CallDirection.INBOUND) {
            state.phase = "answer";
            step.command(new AnswerCall(id(), call.callId()));
        } else {
            step.enter(flow.start());
        }
        step.save(true);
    }

    /** An inbound number bound to no flow (or a flow without a published version): say so and hang up. */
    private void unbound(CallStarted call) {
        LOG.warnf("call %s to %s: no flow runs this number; playing the default message", call.callId(), call.to());
        publish(call.callId(), new UnboundNumberCalled(call.callId(), call.from(), call.to()));
        if (call.direction() == CallDirection.INBOUND) {
            publish(call.callId(), new AnswerCall(id(), call.callId()));
        }
        publish(call.callId(), new PlayPrompt(id(), call.callId(), Prompt.text(config.unbound().prompt()), false, 1));
        publish(call.callId(), new HangUp(id(), call.callId(), null));
    }

    private void ended(CallEnded end) {
        IvrSession s = running(end.callId());
        if (s == null) {
            return;
        }
        SessionState state = read(s.state);
        SessionOutcome outcome = state.failure != null ? SessionOutcome.FAILED
                : state.endedByFlow ? SessionOutcome.COMPLETED : SessionOutcome.CALLER_HUNG_UP;
        RunnableFlow flow = flow(s.flowId, s.flowVersion);
        if (flow != null && s.nodeId != null && "satisfaction".equals(flow.node(s.nodeId).type()) && !state.endedByFlow) {
            // the caller left the survey without a key: still a record (no input)
            publish(s.callId, new SatisfactionCollected(s.callId, s.id.toString(), null, null,
                    state.variables.get("sys.agentId"), state.variables.get("sys.skillGroup"), true));
        }
        publish(s.callId, new IvrSessionEnded(s.callId, s.id.toString(), outcome, s.nodeId,
                new LinkedHashMap<>(state.variables), sessions.trail(s.id)));
        s.status = IvrSession.ENDED;
        s.pendingCommand = null;
        s.announceAt = null;
        s.state = write(state);
        s.updatedAt = Instant.now();
    }

    private void result(String callId, String commandId, Object result) {
        IvrSession s = running(callId);
        if (s == null || commandId == null || !commandId.equals(s.pendingCommand)) {
            return; // not ours, or a stale result of a command the session no longer waits for
        }
        RunnableFlow flow = flow(s.flowId, s.flowVersion);
        if (flow == null) {
            return;
        }
        Step step = new Step(s, read(s.state), flow);
        s.pendingCommand = null;
        if (result instanceof CommandFailed f) {
            if (f.reason() == CommandFailureReason.CALL_ENDED) {
                step.save(false); // CallEnded follows and closes the session
                return;
            }
            step.fail("the switch could not run " + f.command() + ": " + f.reason() + " " + (f.detail() == null ? "" : f.detail()));
        } else if ("answer".equals(step.state.phase)) {
            step.enter(flow.start());
        } else {
            step.resume(result);
        }
        step.save(false);
    }

    /** Routing's answer to a transfer: connected to an agent, or out of the queue without one. */
    private void queued(String callId, Object answer) {
        IvrSession s = running(callId);
        if (s == null || s.pendingCommand == null || !s.pendingCommand.startsWith("queue:")) {
            return;
        }
        RunnableFlow flow = flow(s.flowId, s.flowVersion);
        Step step = new Step(s, read(s.state), flow);
        s.announceAt = null; // connected or out of the queue: no more announcements
        step.state.queuedAt = null;
        if (answer instanceof CallConnected c) {
            step.state.phase = "agent";
            step.setVariable("sys.agentId", c.agentId());
            step.setVariable("sys.skillGroup", c.skillGroup());
        } else if (answer instanceof QueueExited q) {
            s.pendingCommand = null;
            if (q.reason() != QueueExitReason.ABANDONED) {
                // the gateway runs a call's commands in order: the music stops before the next node speaks
                publish(s.callId, new StopHold(id(), s.callId));
            }
            switch (q.reason()) {
                case TIMEOUT:
                    step.enter(step.exit("queueTimeout"));
                    break;
                case QUEUE_FULL:
                    step.enter(step.exit("queueFull"));
                    break;
                case NO_AGENT:
                    step.enter(step.exit("noAgent"));
                    break;
                default:
                    s.pendingCommand = "gone:abandoned"; // the caller is gone: CallEnded closes the session; nothing else moves it
            }
        }
        step.save(false);
    }

    /** The agent's leg ended with the caller still on the line: the flow goes on (survey) or ends. */
    private boolean agentLegEnded(BridgeEnded b) {
        if (b.agentId() == null) {
            return false;
        }
        IvrSession s = running(b.callId());
        if (s == null || s.pendingCommand == null || !s.pendingCommand.startsWith("queue:")) {
            return false;
        }
        RunnableFlow flow = flow(s.flowId, s.flowVersion);
        Step step = new Step(s, read(s.state), flow);
        s.pendingCommand = null;
        s.announceAt = null;
        step.state.queuedAt = null;
        if (step.state.variables.get("sys.agentId") == null) {
            step.setVariable("sys.agentId", b.agentId()); // routing's CallConnected is still on its way
            step.setVariable("sys.skillGroup", step.text("skillGroup", ""));
        }
        NodeDocument n = step.node();
        if (n.exits() != null && n.exits().containsKey("afterAgent")) {
            step.enter(step.exit("afterAgent"));
        } else {
            step.state.endedByFlow = true;
            step.hangUp();
        }
        step.save(false);
        return true;
    }

    /**
     * A queued caller's announcement is due: the music stops, the node's announcement plays (with
     * {@code sys.queuePosition}, {@code sys.callersAhead}, {@code sys.queueWaitSeconds}, {@code sys.estimatedWaitSeconds}), the music
     * starts again. None of the three moves the session: it still waits for routing's answer.
     */
    public void announce(IvrSession s) {
        RunnableFlow flow = flow(s.flowId, s.flowVersion);
        if (flow == null || !IvrSession.RUNNING.equals(s.status) || s.pendingCommand == null
                || !s.pendingCommand.startsWith("queue:")) {
            s.announceAt = null;
            return;
        }
        Step step = new Step(s, read(s.state), flow);
        NodeDocument n = step.node();
        if (!"queue".equals(step.state.phase) || n.settings() == null || !n.settings().hasNonNull("announcement")) {
            s.announceAt = null; // connected to an agent meanwhile, or a node without announcements
            return;
        }
        publish(s.callId, new StopHold(id(), s.callId));
        publish(s.callId, new PlayPrompt(id(), s.callId, step.prompt("announcement"), false, 1));
        publish(s.callId, new StartHold(id(), s.callId, step.text("holdMusic", null)));
        s.announceAt = Instant.now().plusSeconds(step.integer("announceIntervalSeconds", 60));
        step.save(false);
    }

    // ------------------------------------------------------------------ flows

    private RunnableFlow flowFor(CallStarted call) {
        if (call.direction() == CallDirection.OUTBOUND) {
            String flowId = call.variables() == null ? null : call.variables().get(FLOW_VARIABLE);
            if (flowId == null) {
                return null;
            }
            try {
                Flow f = Flow.findById(UUID.fromString(flowId));
                return f == null || f.activeVersion == null ? null : flow(f.id, f.activeVersion);
            } catch (IllegalArgumentException notAnId) {
                return null;
            }
        }
        NumberBinding binding = NumberBinding.findById(call.to());
        if (binding == null) {
            return null;
        }
        Flow f = Flow.findById(binding.flowId);
        return f == null || f.activeVersion == null ? null : flow(f.id, f.activeVersion);
    }

    RunnableFlow flow(UUID flowId, int version) {
        FlowVersion.Key key = new FlowVersion.Key(flowId, version);
        RunnableFlow cached = flows.get(key);
        if (cached != null) {
            return cached;
        }
        FlowVersion v = FlowVersion.findById(key);
        if (v == null) {
            return null;
        }
        RunnableFlow loaded = new RunnableFlow(flowId, version, FlowService.document(v.definition));
        flows.put(key, loaded);
        return loaded;
    }

    /** The call's running session (read once per transaction; see {@link SessionStore}). */
    private IvrSession running(String callId) {
        IvrSession s = callId == null ? null : sessions.ofCall(callId);
        return s != null && IvrSession.RUNNING.equals(s.status) ? s : null;
    }

    /** Whether the call has had a session, running or ended (a second CallStarted for it starts none). */
    private boolean hadSession(String callId) {
        return sessions.ofCall(callId) != null;
    }

    // ------------------------------------------------------------------ one step of one session

    /** The work of one event on one session: node entries, commands, events; then {@link #save}. */
    private final class Step {
        final IvrSession s;
        final SessionState state;
        final RunnableFlow flow;
        int steps;

        Step(IvrSession s, SessionState state, RunnableFlow flow) {
            this.s = s;
            this.state = state;
            this.flow = flow;
        }

        void save(boolean created) {
            s.state = write(state);
            s.updatedAt = Instant.now();
            if (created) {
                sessions.created(s);
            }
        }

        void command(CallCommand c) {
            s.pendingCommand = c.commandId();
            publish(s.callId, (Record) c);
        }

        NodeDocument node() {
            return flow.node(s.nodeId);
        }

        void enter(String nodeId) {
            if (++steps > MAX_STEPS) {
                fail("more than " + MAX_STEPS + " nodes without waiting for the caller");
                return;
            }
            s.nodeId = nodeId;
            state.errors = 0;
            state.phase = null;
            NodeDocument n = node();
            publish(s.callId, new IvrNodeEntered(s.callId, s.id.toString(), n.id(), n.type(), n.label(), Instant.now()));
            NodeType type = NodeType.byJson(n.type()).orElseThrow();
            switch (type) {
                case START:
                    enter(exit("next"));
                    break;
                case PLAY:
                    state.phase = "play";
                    command(new PlayPrompt(id(), s.callId, prompt("prompt"), bool("interruptible", false), integer("repeat", 1)));
                    break;
                case SET_VARIABLE:
                    for (Iterator<Map.Entry<String, JsonNode>> it = n.settings().get("assignments").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> a = it.next();
                        String value = a.getValue().isTextual() ? render(a.getValue().asText()) : a.getValue().asText();
                        setVariable(a.getKey(), value);
                    }
                    enter(exit("next"));
                    break;
                case CONDITION:
                    String chosen = "default";
                    for (Condition c : flow.conditions(n)) {
                        if (c.test(this::variable)) {
                            chosen = c.exit();
                            break;
                        }
                    }
                    enter(exit(chosen));
                    break;
                case SERVICE_HOURS:
                    enter(exit(flow.hours(n).isOpen(Instant.now()) ? "inHours" : "outOfHours"));
                    break;
                case END:
                    state.endedByFlow = true;
                    if (n.settings() != null && n.settings().hasNonNull("prompt")) {
                        state.phase = "goodbye";
                        command(new PlayPrompt(id(), s.callId, prompt("prompt"), false, 1));
                    } else {
                        hangUp();
                    }
                    break;
                case COLLECT_DIGITS:
                case KEY_MENU:
                case SATISFACTION:
                case TRANSFER_EXTENSION:
                case SPEECH_MENU:
                    ask(prompt("prompt"));
                    break;
                case TRANSFER_EXTERNAL:
                    if (n.settings().hasNonNull("numberUrl")) {
                        // the number comes from the business's callback URL: fetch it first
                        String fetch = "http:" + id();
                        s.pendingCommand = fetch;
                        state.phase = "fetch";
                        HttpCalls.Request numberRequest = httpRequest(fetch);
                        afterCommit(() -> http.start(numberRequest));
                    } else {
                        holdThenDial();
                    }
                    break;
                case HTTP_CALL:
                    String token = "http:" + id();
                    s.pendingCommand = token;
                    state.phase = "http";
                    HttpCalls.Request request = httpRequest(token);
                    afterCommit(() -> http.start(request));
                    break;
                case TRANSFER_TO_AGENT:
                    transferToAgent();
                    break;
                default:
                    fail("the engine has no step for a " + n.type() + " node"); // every NodeType is handled above
            }
        }

        /** A command's result for the current node. */
        void resume(Object result) {
            NodeDocument n = node();
            NodeType type = NodeType.byJson(n.type()).orElseThrow();
            String phase = state.phase == null ? "" : state.phase;
            if ("hangup".equals(phase)) {
                return; // CallEnded closes the session
            }
            if ("goodbye".equals(phase)) {
                hangUp();
                return;
            }
            if ("retry".equals(phase)) {
                ask(prompt("prompt"));
                return;
            }
            if ("failure".equals(phase)) {
                enter(exit("failed"));
                return;
            }
            switch (type) {
                case PLAY:
                    enter(exit("next"));
                    break;
                case COLLECT_DIGITS:
                    collected(n, digits(result));
                    break;
                case KEY_MENU:
                    keyChosen(n, digits(result));
                    break;
                case SATISFACTION:
                    rated(n, digits(result));
                    break;
                case SPEECH_MENU:
                    spoken(n, result instanceof SpeechRecognized r ? r.text() : null);
                    break;
                case TRANSFER_EXTENSION:
                    if ("dial".equals(phase)) {
                        dialEnded(result);
                    } else {
                        extensionKeyed(n, digits(result));
                    }
                    break;
                case TRANSFER_EXTERNAL:
                    if ("hold".equals(phase)) {
                        dialExternal();
                    } else {
                        dialEnded(result);
                    }
                    break;
                default:
                    fail("unexpected result " + result.getClass().getSimpleName() + " at a " + n.type() + " node");
            }
        }

        // ---- input nodes

        /** Plays the node's question and reads the caller's answer (keys or speech). */
        void ask(Prompt question) {
            NodeDocument n = node();
            state.phase = "collect";
            int timeout = integer("timeoutSeconds", 5);
            switch (NodeType.byJson(n.type()).orElseThrow()) {
                case COLLECT_DIGITS:
                    Integer fixed = n.settings().hasNonNull("fixedLength") ? n.settings().get("fixedLength").asInt() : null;
                    int max = fixed != null ? fixed : integer("maxDigits", 32);
                    command(new CollectDigits(id(), s.callId, question, max, fixed, fixed == null ? text("terminator", "#") : null, timeout));
                    break;
                case TRANSFER_EXTENSION:
                    command(new CollectDigits(id(), s.callId, question, integer("extensionLength", 4),
                            integer("extensionLength", 4), null, timeout));
                    break;
                case SPEECH_MENU:
                    command(new RecognizeSpeech(id(), s.callId, question, timeout, text("language", null)));
                    break;
                default: // key menu, satisfaction: one key
                    command(new CollectDigits(id(), s.callId, question, 1, 1, null, timeout));
            }
        }

        void collected(NodeDocument n, DigitsCollected d) {
            String digits = d == null || d.digits() == null ? "" : d.digits();
            boolean fixed = n.settings().hasNonNull("fixedLength");
            boolean star = bool("allowStar", false);
            InputOutcome outcome;
            if (digits.isEmpty()) {
                outcome = InputOutcome.NO_INPUT;
            } else if ((fixed && digits.length() != n.settings().get("fixedLength").asInt())
                    || (!star && digits.indexOf('*') >= 0) || digits.indexOf('#') >= 0) {
                outcome = InputOutcome.INVALID;
            } else {
                outcome = InputOutcome.OK;
            }
            trail(n, digits);
            if (outcome == InputOutcome.OK) {
                input(n, InputKind.DIGITS, digits, outcome);
                setVariable(text("variable", "digits"), digits);
                enter(exit("ok"));
                return;
            }
            retryOrGiveUp(n, InputKind.DIGITS, digits, outcome, "failurePrompt");
        }

        void keyChosen(NodeDocument n, DigitsCollected d) {
            String key = d == null || d.digits() == null ? "" : d.digits();
            trail(n, key);
            if (!key.isEmpty() && n.exits() != null && n.exits().containsKey(key)) {
                input(n, InputKind.KEY, key, InputOutcome.OK);
                if (n.settings().hasNonNull("variable")) {
                    setVariable(n.settings().get("variable").asText(), key);
                }
                enter(exit(key));
                return;
            }
            retryOrGiveUp(n, InputKind.KEY, key, key.isEmpty() ? InputOutcome.NO_INPUT : InputOutcome.INVALID, null);
        }

        void spoken(NodeDocument n, String text) {
            String said = text == null ? "" : text.trim();
            String branch = null;
            if (!said.isEmpty()) {
                String lower = said.toLowerCase(Locale.ROOT);
                for (Iterator<Map.Entry<String, JsonNode>> it = n.settings().get("keywords").fields(); it.hasNext() && branch == null; ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    for (JsonNode word : e.getValue()) {
                        if (lower.contains(word.asText().toLowerCase(Locale.ROOT))) {
                            branch = e.getKey();
                            break;
                        }
                    }
                }
            }
            if (branch != null) {
                input(n, InputKind.SPEECH, said, InputOutcome.OK);
                if (n.settings().hasNonNull("variable")) {
                    setVariable(n.settings().get("variable").asText(), said);
                }
                enter(exit(branch));
                return;
            }
            retryOrGiveUp(n, InputKind.SPEECH, said, said.isEmpty() ? InputOutcome.NO_INPUT : InputOutcome.INVALID, null);
        }

        void rated(NodeDocument n, DigitsCollected d) {
            String key = d == null || d.digits() == null ? "" : d.digits();
            trail(n, key);
            JsonNode label = n.settings().get("options").get(key);
            if (!key.isEmpty() && label != null) {
                input(n, InputKind.KEY, key, InputOutcome.OK);
                setVariable(text("keyVariable", "satisfactionKey"), key);
                setVariable(text("labelVariable", "satisfactionLabel"), label.asText());
                publish(s.callId, new SatisfactionCollected(s.callId, s.id.toString(), key, label.asText(),
                        state.variables.get("sys.agentId"), state.variables.get("sys.skillGroup"), false));
                enter(exit("next"));
                return;
            }
            InputOutcome outcome = key.isEmpty() ? InputOutcome.NO_INPUT : InputOutcome.INVALID;
            if (state.errors + 1 >= integer("maxErrors", 3)) {
                input(n, InputKind.KEY, key, InputOutcome.MAX_ERRORS);
                publish(s.callId, new SatisfactionCollected(s.callId, s.id.toString(), null, null,
                        state.variables.get("sys.agentId"), state.variables.get("sys.skillGroup"), true));
                enter(exit("next"));
                return;
            }
            retryOrGiveUp(n, InputKind.KEY, key, outcome, null);
        }

        void extensionKeyed(NodeDocument n, DigitsCollected d) {
            String ext = d == null || d.digits() == null ? "" : d.digits();
            trail(n, ext);
            if (ext.length() == integer("extensionLength", 4) && ext.chars().allMatch(Character::isDigit)) {
                input(n, InputKind.DIGITS, ext, InputOutcome.OK);
                state.phase = "dial";
                command(new TransferExtension(id(), s.callId, ext, integer("ringTimeoutSeconds", 30)));
                return;
            }
            retryOrGiveUp(n, InputKind.DIGITS, ext, ext.isEmpty() ? InputOutcome.NO_INPUT : InputOutcome.INVALID, "errorPrompt");
        }

        /**
         * No input or wrong input: count it; below max errors replay (after the timeout or error prompt),
         * at max errors take the failure exit — or hang up, for a menu set to.
         */
        void retryOrGiveUp(NodeDocument n, InputKind kind, String input, InputOutcome outcome, String failurePrompt) {
            state.errors++;
            int maxErrors = integer("maxErrors", 3);
            if (state.errors >= maxErrors) {
                input(n, kind, input, InputOutcome.MAX_ERRORS);
                boolean menu = "keyMenu".equals(n.type()) || "speechMenu".equals(n.type());
                if (menu && !"exit".equals(text("onMaxErrors", "hangup"))) {
                    state.endedByFlow = true;
                    hangUp();
                } else if (failurePrompt != null && n.settings().hasNonNull(failurePrompt)) {
                    state.phase = "failure";
                    command(new PlayPrompt(id(), s.callId, prompt(failurePrompt), false, 1));
                } else {
                    enter(exit("failed"));
                }
                return;
            }
            input(n, kind, input, outcome);
            String retryPrompt = outcome == InputOutcome.NO_INPUT ? "timeoutPrompt"
                    : n.settings().hasNonNull("errorPrompt") ? "errorPrompt" : "failurePrompt";
            if (n.settings().hasNonNull(retryPrompt)) {
                state.phase = "retry";
                command(new PlayPrompt(id(), s.callId, prompt(retryPrompt), false, 1));
            } else {
                ask(prompt("prompt"));
            }
        }

        /** Queues the caller for a skill group: hold music, and a transfer request routing-service acts on. */
        void transferToAgent() {
            NodeDocument n = node();
            state.phase = "queue";
            command(new StartHold(id(), s.callId, text("holdMusic", null)));
            s.pendingCommand = "queue:" + id(); // routing's answer moves the session on, not the hold's result
            state.queuedAt = Instant.now();
            if (n.settings().hasNonNull("announcement")) {
                s.announceAt = state.queuedAt.plusSeconds(integer("announceIntervalSeconds", 60));
            }
            Map<String, String> pop = new LinkedHashMap<>();
            JsonNode names = n.settings().get("screenPopVariables");
            if (names != null) {
                names.forEach(name -> pop.put(name.asText(), variable(name.asText()) == null ? "" : variable(name.asText())));
            } else {
                state.variables.forEach((k, v) -> {
                    if (!k.startsWith("sys.")) {
                        pop.put(k, v);
                    }
                });
            }
            publish(s.callId, new TransferRequested(s.callId, s.id.toString(), n.id(), text("skillGroup", ""),
                    integer("priority", 0), integer("queueTimeoutSeconds", 300),
                    n.settings().hasNonNull("maxQueueLength") ? n.settings().get("maxQueueLength").asInt() : null,
                    text("holdMusic", null), state.callerNumber, state.calledNumber, pop, sessions.trail(s.id)));
        }

        /** The current HTTP-call node's request, its templates filled from the session's variables. */
        HttpCalls.Request httpRequest(String token) {
            NodeDocument n = node();
            if ("transferExternal".equals(n.type())) {
                // the callback gets the call and its variables, and answers {"number": "…"}
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("callId", s.callId);
                body.put("callerNumber", state.callerNumber);
                body.put("calledNumber", state.calledNumber);
                Map<String, String> vars = new LinkedHashMap<>();
                state.variables.forEach((k, v) -> {
                    if (!k.startsWith("sys.")) {
                        vars.put(k, v);
                    }
                });
                body.put("variables", vars);
                return new HttpCalls.Request(s.callId, token, render(n.settings().get("numberUrl").asText()), Map.of(),
                        body, integer("timeoutSeconds", 3), 1);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            JsonNode h = n.settings().get("headers");
            if (h != null) {
                h.fields().forEachRemaining(e -> headers.put(e.getKey(), e.getValue().isTextual()
                        ? render(e.getValue().asText()) : e.getValue().asText()));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            JsonNode b = n.settings().get("body");
            if (b != null) {
                b.fields().forEachRemaining(e -> body.put(e.getKey(), e.getValue().isTextual()
                        ? render(e.getValue().asText()) : e.getValue()));
            }
            return new HttpCalls.Request(s.callId, token, render(n.settings().get("url").asText()), headers, body,
                    integer("timeoutSeconds", 5), integer("maxErrors", 1));
        }

        // ---- transfers

        void holdThenDial() {
            if (node().settings().hasNonNull("holdPrompt")) {
                state.phase = "hold";
                command(new PlayPrompt(id(), s.callId, prompt("holdPrompt"), false, 1));
            } else {
                dialExternal();
            }
        }

        void dialExternal() {
            NodeDocument n = node();
            String number = n.settings().hasNonNull("number") ? render(n.settings().get("number").asText())
                    : state.variables.getOrDefault("sys.transferNumber", text("fallbackNumber", null));
            state.phase = "dial";
            command(new DialExternal(id(), s.callId, number, text("callerNumber", null), integer("ringTimeoutSeconds", 30)));
        }

        void dialEnded(Object result) {
            NodeDocument n = node();
            if (result instanceof DialFailed) {
                enter(exit("failed"));
            } else if (n.exits() != null && n.exits().containsKey("afterCall")) {
                enter(exit("afterCall"));
            } else {
                state.endedByFlow = true;
                hangUp();
            }
        }

        // ---- helpers

        void hangUp() {
            state.phase = "hangup";
            command(new HangUp(id(), s.callId, null));
        }

        void fail(String why) {
            LOG.warnf("call %s: IVR session %s fails at node %s: %s", s.callId, s.id, s.nodeId, why);
            state.failure = why;
            hangUp();
        }

        String exit(String name) {
            NodeDocument n = node();
            String target = n.exits() == null ? null : n.exits().get(name);
            if (target == null) {
                throw new IllegalStateException("node " + n.id() + " has no exit " + name);
            }
            return target;
        }

        void input(NodeDocument n, InputKind kind, String input, InputOutcome outcome) {
            publish(s.callId, new IvrInputCollected(s.callId, s.id.toString(), n.id(), n.label(), kind,
                    input == null || input.isEmpty() ? null : input, outcome));
        }

        void trail(NodeDocument n, String keys) {
            if (keys != null && !keys.isEmpty()) {
                sessions.keyPressed(s.id, ++state.trailLength, n.id(), n.label(), keys, Instant.now());
            }
        }

        void setVariable(String name, String value) {
            state.variables.put(name, value == null ? "" : value);
            publish(s.callId, new IvrVariableSet(s.callId, s.id.toString(), s.nodeId, name, value == null ? "" : value));
        }

        /** A variable by name: the system ones computed, the rest from the session. */
        String variable(String name) {
            switch (name) {
                case "sys.callerNumber":
                    return state.callerNumber;
                case "sys.calledNumber":
                    return state.calledNumber;
                case "sys.sessionId":
                    return s.id.toString();
                case "sys.callId":
                    return s.callId;
                case "sys.flowName":
                    return state.flowName;
                case "sys.queuePosition":
                    String position = state.variables.get(name);
                    return position == null ? "" : position;
                case "sys.callersAhead":
                    String at = state.variables.get("sys.queuePosition");
                    return at == null ? "" : String.valueOf(Math.max(0, Integer.parseInt(at) - 1));
                case "sys.queueWaitSeconds":
                    return state.queuedAt == null ? ""
                            : String.valueOf(java.time.Duration.between(state.queuedAt, Instant.now()).toSeconds());
                default:
                    return state.variables.get(name);
            }
        }

        String render(String template) {
            return flow.template(template).render(this::variable);
        }

        Prompt prompt(String field) {
            JsonNode p = node().settings().get(field);
            if (p.hasNonNull("audioFile")) {
                return Prompt.audio(p.get("audioFile").asText());
            }
            return Prompt.text(render(p.get("text").asText()));
        }

        int integer(String field, int fallback) {
            JsonNode settings = node().settings();
            return settings != null && settings.hasNonNull(field) ? settings.get(field).asInt() : fallback;
        }

        boolean bool(String field, boolean fallback) {
            JsonNode settings = node().settings();
            return settings != null && settings.hasNonNull(field) ? settings.get(field).asBoolean() : fallback;
        }

        String text(String field, String fallback) {
            JsonNode settings = node().settings();
            return settings != null && settings.hasNonNull(field) ? settings.get(field).asText() : fallback;
        }

        private DigitsCollected digits(Object result) {
            if (result instanceof DigitsCollected d) {
                return d.completion() == DigitsCompletion.TIMEOUT && (d.digits() == null || d.digits().isEmpty()) ? null : d;
            }
            return null;
        }
    }

    private static String id() {
        return UUID.randomUUID().toString();
    }

    static SessionState read(String json) {
        try {
            return Json.MAPPER.readValue(json, SessionState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an IVR session's state is not readable: " + e.getOriginalMessage(), e);
        }
    }

    static String write(SessionState state) {
        return new String(Json.write(state), java.nio.charset.StandardCharsets.UTF_8);
    }
}
