package io.callstream.gateway.domain;

import io.callstream.contracts.call.CallCommand;
import io.callstream.contracts.call.CallDirection;
import io.callstream.contracts.call.HangupParty;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A call this replica holds. Its FastAGI connection's loop thread takes the call's commands from
 * {@link #nextCommand}; anything else (Kafka consumer, AMI events) only queues commands or marks the
 * call ended, and wakes the loop through the call's waker.
 */
public final class LiveCall {
    /**
     * Why a call ended. {@code confirmed} when the switch said so (AMI Hangup with its cause); an
     * ending seen only on the AGI socket is provisional until then.
     */
    public record Ending(int cause, String causeText, HangupParty hungUpBy, boolean confirmed) {
    }

    /** A command as received, with when it was taken off Kafka (for the dispatch-latency metric). */
    public record Queued(CallCommand command, long receivedNanos) {
    }

    /** The dial in progress (connect agent, dial external, transfer extension), for AMI events to enrich. */
    public static final class Dial {
        public final String commandId;
        public final String agentId;
        public final String target;
        /** For dial external / transfer extension (agentId is null then). */
        public final io.callstream.contracts.call.TransferKind kind;
        public final AtomicBoolean alerted = new AtomicBoolean();
        public final AtomicBoolean answered = new AtomicBoolean();
        public volatile Instant answeredAt;

        public Dial(String commandId, String agentId, String target, io.callstream.contracts.call.TransferKind kind) {
            this.commandId = commandId;
            this.agentId = agentId;
            this.target = target;
            this.kind = kind;
        }
    }

    public final String callId;
    public final CallDirection direction;
    public final String channel;
    public final String uniqueId;
    public final String attemptId;
    public final String from;
    public final String to;
    public final Map<String, String> variables;
    public final Instant startedAt = Instant.now();

    private final ConcurrentLinkedQueue<Queued> commands = new ConcurrentLinkedQueue<>();
    private volatile Runnable waker = () -> { };
    private volatile String hangupCommandId;
    private final Set<String> seenCommandIds = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Ending ending;
    private volatile boolean hangupRequested;
    private volatile boolean busy;
    private volatile Dial dial;
    public volatile boolean onHold;
    public volatile boolean speechReady;

    public LiveCall(String callId, CallDirection direction, String from, String to, String channel, String uniqueId,
                    String attemptId, Map<String, String> variables) {
        this.callId = callId;
        this.direction = direction;
        this.from = from;
        this.to = to;
        this.channel = channel;
        this.uniqueId = uniqueId;
        this.attemptId = attemptId;
        this.variables = variables;
    }

    /** Queues a command unless its id was seen before on this call; false for a duplicate. */
    public boolean offer(CallCommand command, long receivedNanos) {
        if (!firstSight(command.commandId())) {
            return false;
        }
        commands.add(new Queued(command, receivedNanos));
        waker.run();
        return true;
    }

    /** True the first time a command id is seen on this call. */
    public boolean firstSight(String commandId) {
        return seenCommandIds.add(commandId);
    }

    /** What to run when a command arrives or the call ends: wakes the call's loop thread. */
    public void waker(Runnable waker) {
        this.waker = waker;
    }

    /** The next command, or null when none is queued. */
    public Queued nextCommand() {
        return commands.poll();
    }

    /** Commands still queued when the call ended (each gets CommandFailed). */
    public List<CallCommand> drainCommands() {
        List<CallCommand> rest = new ArrayList<>();
        Queued q;
        while ((q = commands.poll()) != null) {
            rest.add(q.command());
        }
        return rest;
    }

    /** Records how the call ended and wakes its loop; a confirmed report replaces a provisional one. */
    public void markEnded(Ending how) {
        synchronized (this) {
            if (ending == null || (!ending.confirmed() && how.confirmed())) {
                ending = how;
            }
        }
        waker.run();
    }

    /** True for exactly one caller: the one that publishes CallEnded. */
    public boolean claimEnd() {
        return ended.compareAndSet(false, true);
    }

    public boolean isEnded() {
        return ending != null || ended.get();
    }

    public Ending ending() {
        return ending;
    }

    public void requestHangup(String commandId) {
        hangupRequested = true;
        hangupCommandId = commandId;
    }

    /** The hang-up command that ended the call, if one did. */
    public String hangupCommandId() {
        return hangupCommandId;
    }

    public boolean hangupRequested() {
        return hangupRequested;
    }

    public boolean busy() {
        return busy;
    }

    public void busy(boolean busy) {
        this.busy = busy;
    }

    public Dial dial() {
        return dial;
    }

    public void dial(Dial dial) {
        this.dial = dial;
    }

    /** Who hung up when the far end did: the caller of an inbound call, the callee of an outbound one. */
    public HangupParty farEnd() {
        return direction == CallDirection.INBOUND ? HangupParty.CALLER : HangupParty.CALLEE;
    }
}
