package io.callstream.pbx;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A call of a scripted party: an inbound caller, or the callee of an Originate. */
public final class SimCall {
    private final Pbx pbx;
    private final CallLog log;
    private final String party;
    private volatile Channel channel;

    SimCall(Pbx pbx, CallLog log, String party) {
        this.pbx = pbx;
        this.log = log;
        this.party = party;
    }

    void attach(Channel c) {
        this.channel = c;
    }

    CallLog log() {
        return log;
    }

    public String id() {
        return log.id;
    }

    /** {@code inbound} or {@code outbound}. */
    public String direction() {
        return log.direction;
    }

    public String from() {
        return log.from;
    }

    public String to() {
        return log.to;
    }

    /** The party's channel name, or null when none was created (an Originate to an unknown number). */
    public String channelName() {
        Channel c = channel;
        return c == null ? null : c.name;
    }

    public String uniqueId() {
        Channel c = channel;
        return c == null ? null : c.uniqueId;
    }

    public Transcript transcript() {
        return log.snapshot();
    }

    /** Whether the call is over: its channel is gone (after the FastAGI session closed). */
    public boolean ended() {
        return log.finished.isDone();
    }

    /**
     * Blocks until the call's channel is gone and returns the final transcript.
     *
     * @throws IllegalStateException when the call is still up after {@code timeout}
     */
    public Transcript awaitEnd(Duration timeout) {
        try {
            return log.finished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("call " + id() + " still up after " + timeout.toMillis() + " ms\n"
                    + log.snapshot().render());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for call " + id(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The party hangs up now. */
    public void hangup() {
        Channel c = channel;
        if (c != null) {
            pbx.hangup(c, Causes.NORMAL_CLEARING, party, true);
        }
    }

    /** The party presses keys now, with no delay between them. */
    public void press(String keys) {
        Channel c = channel;
        if (c == null) {
            return;
        }
        log.actionDone("press " + keys);
        for (char k : keys.toCharArray()) {
            long at = log.elapsedMs();
            log.keySent(k, c.media.press(k), at);
        }
    }

    /** The party's answer to the next speech recognition. */
    public void say(String text) {
        Channel c = channel;
        if (c != null) {
            log.actionDone("say");
            c.media.say(text);
            log.said(text);
        }
    }

    /** After shutdown: a call that never got its end gets one. */
    void forceEnd() {
        if (!log.finished.isDone()) {
            log.hungUp("shutdown", Causes.NORMAL_CLEARING);
            pbx.ended(log.forceFinish());
        }
    }

    @Override
    public String toString() {
        return "SimCall[" + id() + " " + direction() + " " + from() + " -> " + to() + "]";
    }
}
