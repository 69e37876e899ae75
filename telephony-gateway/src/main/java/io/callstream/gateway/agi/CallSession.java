package io.callstream.gateway.agi;

import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.CallEnded;
import io.callstream.contracts.call.CallStarted;
import io.callstream.contracts.call.CommandCompleted;
import io.callstream.contracts.call.CommandFailed;
import io.callstream.contracts.call.CommandFailureReason;
import io.callstream.contracts.call.HangUp;
import io.callstream.contracts.call.HangupParty;
import io.callstream.gateway.domain.LiveCall;
import io.callstream.gateway.domain.OriginatedCall;
import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.asteriskjava.fastagi.AgiNetworkException;
import org.asteriskjava.fastagi.command.GetVariableCommand;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call from the moment Asterisk hands it over until it ends, on its connection's loop thread:
 * register it, publish CallStarted, run its commands one after another ({@link CommandRunner}), and
 * publish exactly one CallEnded however it ends, then close the socket. Guarded by the connection's
 * monitor: the loop holds it while handling the socket; other threads reach the session only through
 * the call's waker, which takes it and runs {@link #pump} (so a command's first AGI line is written by
 * the thread that brought the command).
 */
final class CallSession implements AgiConnection.Handler, AgiConnection.Tickable {
    private static final Logger LOG = Logger.getLogger(CallSession.class);
    /** How long to wait for the switch's own hang-up report (with its cause) after the socket saw it. */
    private static final long CONFIRM_END_MILLIS = 300;
    /** How long a command may still run once the switch said the call ended, before the socket is closed. */
    private static final long ENDED_COMMAND_GRACE_MILLIS = 5000;

    private final CallSessions shared;
    private final AtomicBoolean pumpQueued = new AtomicBoolean();
    private AgiConnection connection;
    private LiveCall call;
    private boolean hangupNoticed;
    private boolean running;
    private boolean finishing;
    private boolean finished;
    private AgiLoop.Timer confirmTimer;
    private AgiLoop.Timer graceTimer;
    private long previousDone;
    private long lastActivity = System.nanoTime();

    CallSession(CallSessions shared) {
        this.shared = shared;
    }

    @Override
    public void onRequest(AgiConnection connection, Map<String, String> env) {
        this.connection = connection;
        String uniqueId = env.get("agi_uniqueid");
        String channel = env.get("agi_channel");
        if (blank(uniqueId) || blank(channel)) {
            LOG.warnf("refusing %s without agi_uniqueid/agi_channel (not a call)", connection);
            connection.close("not a call");
            return;
        }
        if (shared.calls.byUniqueId(uniqueId).isPresent()) {
            LOG.warnf("refusing a second FastAGI connection for channel %s (unique id %s), which is already held",
                    channel, uniqueId);
            connection.close("channel already held");
            return;
        }
        if (shared.config.originate().context().equals(env.get("agi_context"))) {
            connection.send(new GetVariableCommand(OriginatedCall.PARTS_VARIABLE))
                    .thenCompose(reply -> readParts(variable(reply), new StringBuilder(), 0))
                    .handle((packed, error) -> {
                        open(outbound(env, packed, error));
                        return null;
                    });
        } else {
            String dnid = known(env.get("agi_dnid"));
            open(new LiveCall(UUID.randomUUID().toString(), CallDirection.INBOUND, known(env.get("agi_callerid")),
                    dnid.isEmpty() ? known(env.get("agi_extension")) : dnid, channel, uniqueId, null, Map.of()));
        }
    }

    /** Reads CALLSTREAM_CALL_0… one GET VARIABLE at a time; the joined parts, or null when there are none. */
    private CompletableFuture<String> readParts(String count, StringBuilder packed, int index) {
        if (count == null || count.isBlank()) {
            return CompletableFuture.completedFuture(null);
        }
        int parts = OriginatedCall.partCount(count);
        if (index == parts) {
            return CompletableFuture.completedFuture(packed.toString());
        }
        return connection.send(new GetVariableCommand(OriginatedCall.PART_PREFIX + index)).thenCompose(reply -> {
            String part = variable(reply);
            if (part == null) {
                throw new IllegalArgumentException(OriginatedCall.PART_PREFIX + index + " is missing");
            }
            packed.append(part);
            return readParts(count, packed, index + 1);
        });
    }

    private LiveCall outbound(Map<String, String> env, String packed, Throwable error) {
        Throwable cause = CommandRunner.unwrap(error);
        if (cause instanceof AgiNetworkException) {
            return null; // gone before it was a call
        }
        if (cause == null && packed != null) {
            try {
                OriginatedCall o = OriginatedCall.decode(packed);
                return new LiveCall(o.callId(), CallDirection.OUTBOUND, o.from(), o.to(), env.get("agi_channel"),
                        env.get("agi_uniqueid"), o.attemptId(), o.variables() == null ? Map.of() : o.variables());
            } catch (RuntimeException e) {
                cause = e;
            }
        }
        if (cause != null) {
            LOG.warnf("originated leg %s carries unreadable %s variables: %s", env.get("agi_uniqueid"),
                    OriginatedCall.PART_PREFIX, cause.toString());
        }
        // answered leg of an originate made outside Callstream: an outbound call all the same
        return new LiveCall(UUID.randomUUID().toString(), CallDirection.OUTBOUND, "", known(env.get("agi_callerid")),
                env.get("agi_channel"), env.get("agi_uniqueid"), null, Map.of());
    }

    private void open(LiveCall opened) {
        if (opened == null || !connection.isOpen()) {
            return;
        }
        if (shared.calls.byUniqueId(opened.uniqueId).isPresent()) {
            connection.close("channel already held");
            return;
        }
        call = opened;
        AgiLoop loop = connection.loop;
        AgiConnection guard = connection;
        call.waker(() -> {
            if (loop.inLoop()) {
                // from inside this call's own handling: run once the current step is done
                if (pumpQueued.compareAndSet(false, true)) {
                    loop.execute(() -> {
                        synchronized (guard) {
                            pump();
                        }
                    });
                }
            } else {
                // a command from Kafka or news from AMI: act now, on the calling thread
                synchronized (guard) {
                    pump();
                }
            }
        });
        shared.calls.add(call);
        shared.registry.register(call);
        shared.publisher.publish(new CallStarted(call.callId, call.direction, call.from, call.to,
                call.channel, call.uniqueId, shared.config.replicaId(), call.attemptId,
                call.variables.isEmpty() ? null : call.variables));
        if (hangupNoticed) {
            onHangupNotice();
        }
        pump();
    }

    @Override
    public void onHangupNotice() {
        hangupNoticed = true;
        if (call != null) {
            call.markEnded(new LiveCall.Ending(16, "Normal Clearing",
                    call.hangupRequested() ? HangupParty.SYSTEM : call.farEnd(), false));
        }
    }

    @Override
    public void onClosed(String why) {
        if (call == null || finished) {
            return;
        }
        if (call.ending() == null) {
            call.markEnded(new LiveCall.Ending(0, "switch connection lost", HangupParty.UNKNOWN, false));
        }
        pump();
    }

    @Override
    public void tick(long now) {
        if (call == null || running || finishing || call.isEnded()) {
            return;
        }
        if (now - lastActivity >= shared.config.agi().idleCheckInterval().toNanos()) {
            lastActivity = now;
            running = true;
            shared.runner.stillThere(call, connection).whenComplete((v, e) -> {
                running = false;
                pump();
            });
        }
    }

    /** Starts the next command when none is running; finishes the call once it has ended. Loop thread. */
    private void pump() {
        pumpQueued.set(false);
        if (call == null || finished) {
            return;
        }
        if (finishing) {
            if (call.ending() != null && call.ending().confirmed()) {
                complete();
            }
            return;
        }
        if (running) {
            if (call.isEnded() && graceTimer == null) {
                // res_agi answers a command with -1 when its channel goes; a switch that never does is cut off
                AgiConnection guard = connection;
                graceTimer = connection.loop.schedule(ENDED_COMMAND_GRACE_MILLIS, () -> {
                    synchronized (guard) {
                        guard.close("the call ended but its command never returned");
                    }
                });
            }
            return;
        }
        if (call.isEnded() || !connection.isOpen()) {
            finish();
            return;
        }
        LiveCall.Queued next = call.nextCommand();
        if (next == null) {
            return;
        }
        CallCommand command = next.command();
        running = true;
        call.busy(true);
        long now = System.nanoTime();
        lastActivity = now;
        CompletableFuture<Void> result;
        try {
            result = shared.runner.run(call, connection, command);
        } catch (IllegalArgumentException e) {
            result = CompletableFuture.failedFuture(e);
        }
        // the gateway's own overhead: from when the command was taken off Kafka, or when the call's
        // previous command finished if that was later (waiting behind it is the call's pace, not ours),
        // to its first AGI line written (run() writes it before returning)
        shared.runner.dispatchTimer().record(Duration.ofNanos(System.nanoTime() - Math.max(next.receivedNanos(), previousDone)));
        result.whenComplete((v, error) -> done(command, CommandRunner.unwrap(error)));
    }

    private void done(CallCommand command, Throwable error) {
        if (error instanceof AgiHangupException) {
            call.markEnded(new LiveCall.Ending(16, "Normal Clearing",
                    call.hangupRequested() ? HangupParty.SYSTEM : call.farEnd(), false));
            if (!(command instanceof HangUp)) {
                shared.runner.failed(call, command, CommandFailureReason.CALL_ENDED, "the call ended during this command");
            }
        } else if (error instanceof AgiNetworkException) {
            call.markEnded(new LiveCall.Ending(0, "switch connection lost", HangupParty.UNKNOWN, false));
            shared.runner.failed(call, command, CommandFailureReason.CALL_ENDED, "the switch connection was lost");
        } else if (error instanceof AgiException) {
            LOG.warnf("call %s: %s failed: %s", call.callId, command.getClass().getSimpleName(), error.getMessage());
            shared.runner.failed(call, command, CommandFailureReason.SWITCH_ERROR, error.getMessage());
        } else if (error instanceof IllegalArgumentException) {
            shared.runner.failed(call, command, CommandFailureReason.INVALID, error.getMessage());
        } else if (error != null) {
            LOG.errorf(error, "call %s: unexpected failure, ending the call", call.callId);
            call.markEnded(new LiveCall.Ending(0, "gateway error", HangupParty.SYSTEM, false));
            shared.runner.failed(call, command, CommandFailureReason.SWITCH_ERROR, "gateway error: " + error);
        }
        call.busy(false);
        running = false;
        previousDone = System.nanoTime();
        lastActivity = previousDone;
        pump();
    }

    /** The call has ended: wait (bounded) for the switch's confirmation with its cause, then complete. */
    private void finish() {
        if (!call.claimEnd()) {
            return;
        }
        finishing = true;
        if (call.ending() != null && !call.ending().confirmed()) {
            AgiConnection guard = connection;
            confirmTimer = connection.loop.schedule(CONFIRM_END_MILLIS, () -> {
                synchronized (guard) {
                    complete();
                }
            });
            return;
        }
        complete();
    }

    /** Publishes the end exactly once and frees everything the call held. */
    private void complete() {
        if (finished) {
            return;
        }
        finished = true;
        if (confirmTimer != null) {
            confirmTimer.cancel();
        }
        if (graceTimer != null) {
            graceTimer.cancel();
        }
        LiveCall.Ending how = call.ending() != null ? call.ending()
                : new LiveCall.Ending(16, "Normal Clearing", HangupParty.SYSTEM, false);
        shared.calls.remove(call);
        for (var pending : call.drainCommands()) {
            shared.publisher.publish(new CommandFailed(call.callId, pending.commandId(), CallSessions.typeOf(pending),
                    CommandFailureReason.CALL_ENDED, "the call ended before this command ran"));
        }
        if (call.hangupCommandId() != null) {
            shared.publisher.publish(new CommandCompleted(call.callId, call.hangupCommandId(), HangUp.TYPE));
        }
        shared.publisher.publish(new CallEnded(call.callId, how.cause(), how.causeText(), how.hungUpBy()));
        shared.registry.unregister(call);
        connection.close("call ended");
    }

    /** GET VARIABLE's value: {@code 200 result=1 (value)}; null for {@code result=0} (not set). */
    private static String variable(AgiReply reply) {
        return reply.resultCode() == 1 ? reply.extra() : null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Asterisk says "unknown" (or nothing) for an absent caller id or DNID. */
    private static String known(String s) {
        return s == null || "unknown".equals(s) ? "" : s;
    }
}
