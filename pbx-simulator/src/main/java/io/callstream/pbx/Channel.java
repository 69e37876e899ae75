package io.callstream.pbx;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One simulated channel. Its life has two ends, as in Asterisk: the hangup request (the party hangs
 * up, or AMI/AGI asks for it), which interrupts whatever runs on the channel, and the destruction,
 * which happens once nothing holds the channel any more (a FastAGI session holds it until the
 * gateway closes the socket) and is when the AMI {@code Hangup} event goes out.
 */
final class Channel {
    enum State {
        DOWN(0, "Down"), RING(4, "Ring"), RINGING(5, "Ringing"), UP(6, "Up"), BUSY(7, "Busy");

        final int code;
        final String description;

        State(int code, String description) {
            this.code = code;
            this.description = description;
        }
    }

    /** Where a redirect sends the channel once its current application has let go. */
    record Goto(String context, String exten, int priority) {
    }

    final String name;
    final String uniqueId;
    final String linkedId;
    final String type = "PJSIP";
    final Instant createdAt = Instant.now();
    final long createdNanos = System.nanoTime();
    final ChannelMedia media = new ChannelMedia();
    final Map<String, String> variables = new ConcurrentHashMap<>();
    /** The transcript of the scripted party on this channel, or null for a leg nobody scripts. */
    final CallLog log;

    volatile State state = State.DOWN;
    volatile String callerNum;
    volatile String callerName;
    volatile String connectedNum;
    volatile String connectedName;
    volatile String dnid;
    volatile String context;
    volatile String exten;
    volatile int priority = 1;
    volatile String application = "";
    volatile String applicationData = "";
    volatile String bridgeId = "";
    volatile boolean onHold;
    volatile boolean speechCreated;
    volatile java.util.concurrent.ScheduledFuture<?> autoHangup;
    /** The last speech recognition: text and grammar of its one result, or no result. */
    volatile String speechText;
    volatile String speechGrammar;
    volatile int speechResults;

    private final List<Runnable> interruptListeners = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> hangupRequested = new CompletableFuture<>();
    final CompletableFuture<Void> destroyed = new CompletableFuture<>();
    private boolean hangup;
    private int cause;
    private String hungUpBy;
    private int holds;
    private boolean gone;
    private Goto pendingGoto;

    Channel(String name, String uniqueId, String linkedId, CallLog log) {
        this.name = name;
        this.uniqueId = uniqueId;
        this.linkedId = linkedId;
        this.log = log;
    }

    /** Marks the hangup request; false if the channel was already hung up. */
    synchronized boolean markHangup(int cause, String by) {
        if (hangup) {
            return false;
        }
        hangup = true;
        this.cause = cause;
        this.hungUpBy = by;
        return true;
    }

    synchronized boolean isHungUp() {
        return hangup;
    }

    synchronized int cause() {
        return cause;
    }

    synchronized String hungUpBy() {
        return hungUpBy;
    }

    /** Something (a FastAGI session) keeps the channel alive past its hangup request. */
    synchronized void hold() {
        holds++;
    }

    synchronized void release() {
        if (holds > 0) {
            holds--;
        }
    }

    /** Claims the destruction: true once, when hung up and nothing holds the channel. */
    synchronized boolean claimDestroy() {
        if (gone || !hangup || holds > 0) {
            return false;
        }
        gone = true;
        return true;
    }

    synchronized boolean isGone() {
        return gone;
    }

    synchronized boolean requestGoto(Goto target) {
        if (hangup) {
            return false;
        }
        pendingGoto = target;
        return true;
    }

    synchronized Goto takeGoto() {
        Goto g = pendingGoto;
        pendingGoto = null;
        return g;
    }

    void onInterrupt(Runnable listener) {
        interruptListeners.add(listener);
    }

    void removeInterruptListener(Runnable listener) {
        interruptListeners.remove(listener);
    }

    /** Interrupts the application running on the channel (hangup or redirect). */
    void interrupt() {
        media.interrupt();
        for (Runnable r : interruptListeners) {
            r.run();
        }
    }

    long ageSeconds() {
        return (System.nanoTime() - createdNanos) / 1_000_000_000L;
    }

    /** The endpoint part of the name: {@code PJSIP/trunk-0000002a} is {@code trunk}. */
    String endpoint() {
        int slash = name.indexOf('/');
        int dash = name.lastIndexOf('-');
        return slash >= 0 && dash > slash ? name.substring(slash + 1, dash) : name;
    }

    @Override
    public String toString() {
        return name + " (" + uniqueId + ")";
    }
}
