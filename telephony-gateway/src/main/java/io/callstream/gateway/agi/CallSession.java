package io.callstream.gateway.agi;

import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.CommandCompleted;
import io.callstream.contracts.call.CommandFailed;
import io.callstream.contracts.call.CommandFailureReason;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.gateway.config.GatewayConfig;
import io.callstream.gateway.domain.CallRegistry;
import io.callstream.gateway.domain.LiveCall;
import io.callstream.gateway.domain.LiveCalls;
import io.callstream.gateway.domain.OriginatedCall;
import io.callstream.gateway.messaging.CallEventPublisher;
import io.callstream.contracts.EventCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import org.asteriskjava.fastagi.AgiChannel;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiRequest;
import org.asteriskjava.fastagi.AgiScript;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.UUID;

/**
 * One call from the moment Asterisk hands it over until it ends: register it, publish CallStarted,
 * run its commands ({@link CommandRunner}), and publish exactly one CallEnded however it ends.
 */
@ApplicationScoped
public class CallSession implements AgiScript {
    private static final Logger LOG = Logger.getLogger(CallSession.class);
    /** How long to wait for the switch's own hang-up report (with its cause) after the socket saw it. */
    private static final long CONFIRM_END_MILLIS = 300;

    private final GatewayConfig config;
    private final LiveCalls calls;
    private final CallRegistry registry;
    private final CallEventPublisher publisher;
    private final CommandRunner runner;

    CallSession(GatewayConfig config, LiveCalls calls, CallRegistry registry, CallEventPublisher publisher,
                CommandRunner runner) {
        this.config = config;
        this.calls = calls;
        this.registry = registry;
        this.publisher = publisher;
        this.runner = runner;
    }

    @Override
    public void service(AgiRequest request, AgiChannel channel) throws AgiException {
        if (blank(request.getUniqueId()) || blank(request.getChannel())) {
            LOG.warnf("refusing a FastAGI connection from %s without agi_uniqueid/agi_channel (not a call)",
                    request.getRemoteAddress());
            return;
        }
        if (calls.byUniqueId(request.getUniqueId()).isPresent()) {
            LOG.warnf("refusing a second FastAGI connection for channel %s (unique id %s), which is already held",
                    request.getChannel(), request.getUniqueId());
            return;
        }
        LiveCall call = open(request, channel);
        calls.add(call);
        registry.register(call);
        publisher.publish(new CallStarted(call.callId, call.direction, call.from, call.to,
                call.channel, call.uniqueId, config.replicaId(), call.attemptId,
                call.variables.isEmpty() ? null : call.variables));
        try {
            runner.serve(call, channel);
        } catch (RuntimeException e) {
            LOG.errorf(e, "call %s: unexpected failure, ending the call", call.callId);
            call.markEnded(new LiveCall.Ending(0, "gateway error", HangupParty.SYSTEM, false));
            hangUpQuietly(channel);
        } finally {
            finish(call);
        }
    }

    private LiveCall open(AgiRequest request, AgiChannel channel) throws AgiException {
        if (config.originate().context().equals(request.getContext())) {
            try {
                OriginatedCall o = OriginatedCall.fromChannel(channel::getVariable);
                if (o != null) {
                    return new LiveCall(o.callId(), CallDirection.OUTBOUND, o.from(), o.to(), request.getChannel(),
                            request.getUniqueId(), o.attemptId(), o.variables() == null ? Map.of() : o.variables());
                }
            } catch (RuntimeException e) {
                LOG.warnf("originated leg %s carries unreadable %s variables: %s", request.getUniqueId(),
                        OriginatedCall.PART_PREFIX, e.getMessage());
            }
            // answered leg of an originate made outside Callstream: an outbound call all the same
            return new LiveCall(UUID.randomUUID().toString(), CallDirection.OUTBOUND, "",
                    known(request.getCallerIdNumber()), request.getChannel(), request.getUniqueId(), null, Map.of());
        }
        String dnid = known(request.getDnid());
        return new LiveCall(UUID.randomUUID().toString(), CallDirection.INBOUND, known(request.getCallerIdNumber()),
                dnid.isEmpty() ? known(request.getExtension()) : dnid, request.getChannel(), request.getUniqueId(),
                null, Map.of());
    }

    /** Publishes the end exactly once and frees everything the call held. */
    void finish(LiveCall call) {
        if (!call.claimEnd()) {
            return;
        }
        try {
            if (call.ending() != null && !call.ending().confirmed()) {
                call.awaitConfirmedEnd(CONFIRM_END_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LiveCall.Ending how = call.ending() != null ? call.ending()
                : new LiveCall.Ending(16, "Normal Clearing", HangupParty.SYSTEM, false);
        calls.remove(call);
        for (var pending : call.drainCommands()) {
            publisher.publish(new CommandFailed(call.callId, pending.commandId(), typeOf(pending),
                    CommandFailureReason.CALL_ENDED, "the call ended before this command ran"));
        }
        if (call.hangupCommandId() != null) {
            publisher.publish(new CommandCompleted(call.callId, call.hangupCommandId(), HangUp.TYPE));
        }
        publisher.publish(new CallEnded(call.callId, how.cause(), how.causeText(), how.hungUpBy()));
        registry.unregister(call);
    }

    static String typeOf(Object command) {
        return EventCatalog.of(command.getClass()).type();
    }

    private static void hangUpQuietly(AgiChannel channel) {
        try {
            channel.hangup();
        } catch (Exception ignored) {
            // already gone
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Asterisk says "unknown" (or nothing) for an absent caller id or DNID. */
    private static String known(String s) {
        return s == null || "unknown".equals(s) ? "" : s;
    }
}
