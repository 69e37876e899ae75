package io.callstream.gateway.ami;

import io.callstream.contracts.call.AgentAlerted;
import io.callstream.contracts.call.AgentConnected;
import io.callstream.contracts.call.CallTransferred;
import io.callstream.contracts.call.HangupParty;
import io.callstream.contracts.call.Originate;
import io.callstream.contracts.call.OriginateFailed;
import io.callstream.contracts.call.OriginateOutcome;
import io.callstream.contracts.call.TransferKind;
import io.callstream.gateway.config.GatewayConfig;
import io.callstream.gateway.domain.LiveCall;
import io.callstream.gateway.domain.LiveCalls;
import io.callstream.gateway.domain.OriginatedCall;
import io.callstream.gateway.messaging.CallEventPublisher;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.asteriskjava.manager.ManagerConnection;
import org.asteriskjava.manager.ManagerConnectionFactory;
import org.asteriskjava.manager.ManagerConnectionState;
import org.asteriskjava.manager.ManagerEventListener;
import org.asteriskjava.manager.ResponseEvents;
import org.asteriskjava.manager.action.CoreShowChannelsAction;
import org.asteriskjava.manager.action.HangupAction;
import org.asteriskjava.manager.action.OriginateAction;
import org.asteriskjava.manager.event.BridgeEnterEvent;
import org.asteriskjava.manager.event.ConnectEvent;
import org.asteriskjava.manager.event.CoreShowChannelEvent;
import org.asteriskjava.manager.event.DialBeginEvent;
import org.asteriskjava.manager.event.DialEndEvent;
import org.asteriskjava.manager.event.DisconnectEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.HangupRequestEvent;
import org.asteriskjava.manager.event.SoftHangupRequestEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.OriginateResponseEvent;
import org.asteriskjava.manager.response.ManagerError;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * The gateway's AMI side (asterisk-java): originate, out-of-band hang-up, and the events that the AGI
 * socket cannot see — hang-ups while a call waits, dial progress and bridges. Translates
 * asterisk-java's types into our call events here, at the edge. After every (re)connection it reads
 * the live channels and ends the calls whose channel vanished while it was away.
 */
@ApplicationScoped
public class AmiClient implements ManagerEventListener {
    private static final Logger LOG = Logger.getLogger(AmiClient.class);

    private final GatewayConfig config;
    private final LiveCalls calls;
    private final CallEventPublisher publisher;
    private final Map<String, Originate> pendingOriginates = new ConcurrentHashMap<>();
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> new Thread(r, "ami-connect"));
    private volatile ManagerConnection connection;
    private volatile boolean stopping;

    AmiClient(GatewayConfig config, LiveCalls calls, CallEventPublisher publisher) {
        this.config = config;
        this.calls = calls;
        this.publisher = publisher;
    }

    void start(@Observes StartupEvent ignored) {
        ManagerConnectionFactory factory = new ManagerConnectionFactory(config.ami().host(), config.ami().port(),
                config.ami().username(), config.ami().password());
        connection = factory.createManagerConnection();
        connection.addEventListener(this);
        background.execute(this::loginUntilConnected);
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopping = true;
        background.shutdownNow();
        ManagerConnection c = connection;
        if (c != null && c.getState() == ManagerConnectionState.CONNECTED) {
            c.logoff();
        }
    }

    public boolean connected() {
        ManagerConnection c = connection;
        return c != null && c.getState() == ManagerConnectionState.CONNECTED;
    }

    /** The first login; after it, asterisk-java reconnects by itself and we get a ConnectEvent. */
    private void loginUntilConnected() {
        while (!stopping) {
            try {
                connection.login();
                LOG.infof("AMI connected to %s:%d", config.ami().host(), config.ami().port());
                reconcile();
                return;
            } catch (Exception e) {
                LOG.debugf("AMI login failed (%s), retrying", e.toString());
                try {
                    Thread.sleep(config.ami().reconnectInterval().toMillis()); // retry pacing on a background thread
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Ends every held call whose channel the switch no longer has. */
    void reconcile() {
        if (calls.size() == 0) {
            return;
        }
        try {
            ResponseEvents response = connection.sendEventGeneratingAction(new CoreShowChannelsAction(), 10_000);
            Set<String> live = response.getEvents().stream()
                    .filter(e -> e instanceof CoreShowChannelEvent)
                    .map(e -> ((CoreShowChannelEvent) e).getUniqueid())
                    .collect(Collectors.toSet());
            for (LiveCall call : calls.all()) {
                if (!live.contains(call.uniqueId) && call.startedAt.isBefore(Instant.now().minusMillis(500))) {
                    LOG.infof("call %s: channel %s vanished while AMI was away; ending it", call.callId, call.channel);
                    call.markEnded(new LiveCall.Ending(0, "channel vanished while the switch was unreachable",
                            HangupParty.UNKNOWN, true));
                }
            }
        } catch (Exception e) {
            LOG.warnf("AMI: reading live channels failed: %s", e.toString());
        }
    }

    /** Sends an asynchronous Originate; the outcome arrives as OriginateResponse (or the AGI session). */
    public void originate(Originate command) {
        if (!connected()) {
            publisher.publish(new OriginateFailed(command.callId(), command.commandId(), command.attemptId(),
                    OriginateOutcome.FAILED, null));
            return;
        }
        OriginateAction action = new OriginateAction();
        action.setChannel(config.dial().externalTemplate().replace("{number}", command.calleeNumber()));
        action.setContext(config.originate().context());
        action.setExten(config.originate().extension());
        action.setPriority(1);
        action.setTimeout((long) command.ringTimeoutSeconds() * 1000);
        action.setCallerId(command.callerNumber());
        action.setAsync(true);
        action.setChannelId(command.attemptId());
        action.setActionId(command.attemptId());
        try {
            action.setVariables(new OriginatedCall(command.callId(), command.commandId(), command.attemptId(),
                    command.callerNumber(), command.calleeNumber(),
                    command.variables() == null ? Map.of() : command.variables()).toChannelVariables());
        } catch (IllegalArgumentException tooLarge) {
            LOG.warnf("originate %s refused: %s", command.attemptId(), tooLarge.getMessage());
            publisher.publish(new OriginateFailed(command.callId(), command.commandId(), command.attemptId(),
                    OriginateOutcome.FAILED, null));
            return;
        }
        pendingOriginates.put(command.attemptId(), command);
        try {
            connection.sendAction(action, response -> {
                if (response instanceof ManagerError) {
                    LOG.warnf("originate %s refused: %s", command.attemptId(), response.getMessage());
                    if (pendingOriginates.remove(command.attemptId()) != null) {
                        publisher.publish(new OriginateFailed(command.callId(), command.commandId(), command.attemptId(),
                                OriginateOutcome.FAILED, null));
                    }
                }
            });
        } catch (Exception e) {
            pendingOriginates.remove(command.attemptId());
            publisher.publish(new OriginateFailed(command.callId(), command.commandId(), command.attemptId(),
                    OriginateOutcome.FAILED, null));
        }
    }

    /** Hangs a channel up out of band (its AGI command may be Dial or GET DATA, which answer only when they end). */
    public boolean hangup(String channel) {
        if (!connected()) {
            return false;
        }
        try {
            connection.sendAction(new HangupAction(channel), response -> {
            });
            return true;
        } catch (Exception e) {
            LOG.warnf("AMI hangup of %s failed: %s", channel, e.toString());
            return false;
        }
    }

    @Override
    public void onManagerEvent(ManagerEvent event) {
        try {
            if (event instanceof HangupRequestEvent r) {
                // a hang-up is requested at once; the channel (and its Hangup event) lasts until our socket closes
                hangupOf(r.getUniqueId(), r.getCause(), null);
            } else if (event instanceof SoftHangupRequestEvent r) {
                // its Cause is Asterisk's soft-hangup flags, not a Q.850 cause
                hangupOf(r.getUniqueId(), null, null);
            } else if (event instanceof HangupEvent h) {
                hangupOf(h.getUniqueId(), h.getCause(), h.getCauseTxt());
            } else if (event instanceof DialBeginEvent d) {
                calls.byUniqueId(d.getUniqueId()).ifPresent(call -> {
                    LiveCall.Dial dial = call.dial();
                    if (dial != null && dial.agentId != null && dial.alerted.compareAndSet(false, true)) {
                        publisher.publish(new AgentAlerted(call.callId, dial.commandId, dial.agentId, dial.target));
                    }
                });
            } else if (event instanceof DialEndEvent d) {
                if ("ANSWER".equals(d.getDialStatus())) {
                    calls.byUniqueId(d.getUniqueId()).ifPresent(call -> answered(call, d.getDestChannel()));
                }
            } else if (event instanceof BridgeEnterEvent b) {
                calls.byUniqueId(b.getUniqueId()).ifPresent(call -> answered(call, null));
            } else if (event instanceof OriginateResponseEvent o) {
                originateResponse(o);
            } else if (event instanceof ConnectEvent) {
                LOG.info("AMI reconnected; checking the calls held here");
                background.execute(this::reconcile);
            } else if (event instanceof DisconnectEvent) {
                LOG.warn("AMI connection lost; asterisk-java reconnects");
            }
        } catch (RuntimeException e) {
            LOG.warnf("AMI event %s not handled: %s", event.getClass().getSimpleName(), e.toString());
        }
    }

    private void hangupOf(String uniqueId, Integer cause, String causeText) {
        calls.byUniqueId(uniqueId).ifPresent(call -> {
            int code = cause == null || cause == 0 ? 16 : cause;
            call.markEnded(new LiveCall.Ending(code, causeText != null ? causeText : Q850.text(code),
                    call.hangupRequested() ? HangupParty.SYSTEM : call.farEnd(), true));
        });
    }

    /** The dialled party answered: publish it once, whichever event says so first. */
    public void answered(LiveCall call, String peerChannel) {
        LiveCall.Dial dial = call.dial();
        if (dial == null || !dial.answered.compareAndSet(false, true)) {
            return;
        }
        dial.answeredAt = Instant.now();
        publisher.publish(dial.agentId != null
                ? new AgentConnected(call.callId, dial.commandId, dial.agentId, dial.target, peerChannel)
                : new CallTransferred(call.callId, dial.commandId, dial.kind, dial.target));
    }

    private void originateResponse(OriginateResponseEvent o) {
        Originate command = null;
        if (o.getActionId() != null) {
            command = pendingOriginates.remove(o.getActionId());
        }
        if (command == null && o.getUniqueId() != null) {
            command = pendingOriginates.remove(o.getUniqueId());
        }
        if (command == null || o.isSuccess()) {
            return; // answered: the leg's AGI session publishes CallStarted
        }
        Integer reason = o.getReason();
        publisher.publish(new OriginateFailed(command.callId(), command.commandId(), command.attemptId(),
                outcomeOf(reason), reason));
    }

    /** Asterisk's OriginateResponse reason (an AST_CONTROL_* value) as our outcome. */
    static OriginateOutcome outcomeOf(Integer reason) {
        if (reason == null) {
            return OriginateOutcome.FAILED;
        }
        return switch (reason) {
            case 1 -> OriginateOutcome.REJECTED;   // hung up before answering
            case 3 -> OriginateOutcome.NO_ANSWER;  // rang until the timeout
            case 5 -> OriginateOutcome.BUSY;
            case 8 -> OriginateOutcome.CONGESTION;
            default -> OriginateOutcome.FAILED;    // 0: no such number / channel unavailable
        };
    }
}
