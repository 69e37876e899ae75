package io.callstream.pbx;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Plays a scripted party's steps on its own thread, against its channel and transcript. */
final class PartyRuntime implements Runnable {
    private final Pbx pbx;
    private final SimCall call;
    private final Channel channel;
    private final List<Step> steps;
    private final CallLog log;
    private final String party;

    PartyRuntime(Pbx pbx, SimCall call, Channel channel, List<Step> steps) {
        this.pbx = pbx;
        this.call = call;
        this.channel = channel;
        this.steps = steps;
        this.log = call.log();
        this.party = "inbound".equals(call.direction()) ? "caller" : "callee";
    }

    @Override
    public void run() {
        try {
            play();
        } finally {
            pbx.ended(log.partyDone());
        }
    }

    private void play() {
        try {
            int cursor = 0;
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                int number = i + 1;
                if (channel.isHungUp()) {
                    if (needsCall(i)) {
                        log.error("call ended before step " + number + " (" + describe(step) + ")");
                    }
                    return;
                }
                if (step instanceof Step.AwaitPrompt a) {
                    int at = log.awaitPrompt(a.text(), cursor, deadline(a.timeout()));
                    if (at == CallLog.ENDED) {
                        log.error("call ended while awaiting a prompt containing '" + a.text() + "'");
                        return;
                    }
                    if (at == CallLog.TIMED_OUT) {
                        fail("no prompt containing '" + a.text() + "' within " + limit(a.timeout()).toMillis() + " ms");
                        return;
                    }
                    cursor = at + 1;
                } else if (step instanceof Step.Press p) {
                    char[] keys = p.keys().toCharArray();
                    for (int k = 0; k < keys.length; k++) {
                        if (waitForHangup(p.delay().toMillis())) {
                            log.error("call ended while pressing " + p.keys());
                            return;
                        }
                        if (k == keys.length - 1) {
                            // the action is the last key: the next prompt may follow it at once
                            log.actionDone("step " + number + " press " + p.keys());
                        }
                        long at = log.elapsedMs();
                        log.keySent(keys[k], channel.media.press(keys[k]), at);
                    }
                } else if (step instanceof Step.Say s) {
                    log.actionDone("step " + number + " say");
                    channel.media.say(s.text());
                    log.said(s.text());
                } else if (step instanceof Step.Pause w) {
                    if (waitForHangup(w.duration().toMillis())) {
                        if (needsCall(i + 1)) {
                            log.error("call ended during step " + number + " (" + describe(step) + ")");
                        }
                        return;
                    }
                } else if (step instanceof Step.Hangup) {
                    pbx.hangup(channel, Causes.NORMAL_CLEARING, party, true);
                    return;
                } else if (step instanceof Step.AbandonAfter a) {
                    pbx.schedule(() -> {
                        if (!log.isBridged() && !channel.isHungUp()) {
                            log.abandoned();
                            pbx.hangup(channel, Causes.NORMAL_CLEARING, party, true);
                        }
                    }, a.after().toMillis());
                } else if (step instanceof Step.AwaitAgent a) {
                    int r = log.awaitBridged(deadline(a.timeout()));
                    if (r == CallLog.ENDED) {
                        if (!log.isBridged()) {
                            log.error("call ended before an agent answered");
                        }
                        return;
                    }
                    if (r == CallLog.TIMED_OUT) {
                        fail("not bridged to an agent within " + limit(a.timeout()).toMillis() + " ms");
                        return;
                    }
                } else if (step instanceof Step.AwaitEnd e) {
                    Duration max = e.timeout() == null ? pbx.config().maxCallDuration() : e.timeout();
                    if (!waitForHangup(max.toMillis())) {
                        fail("call still up after " + max.toMillis() + " ms");
                    }
                    return;
                }
            }
            // the script is done: the party stays on the line until the call ends
            if (!waitForHangup(pbx.config().maxCallDuration().toMillis())) {
                log.event("note", "maximum call duration reached");
                pbx.hangup(channel, Causes.NORMAL_CLEARING, party, true);
            }
        } catch (InterruptedException e) {
            // the simulator is closing
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a step from {@code index} on needs the call to be up. */
    private boolean needsCall(int index) {
        for (int i = index; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s instanceof Step.AwaitPrompt || s instanceof Step.Press || s instanceof Step.Say
                    || s instanceof Step.AwaitAgent) {
                return true;
            }
        }
        return false;
    }

    /** A step failed: recorded, and the party hangs up so the call does not hang around. */
    private void fail(String message) {
        log.error(message);
        pbx.hangup(channel, Causes.NORMAL_CLEARING, party, true);
    }

    /** Waits up to {@code millis} for the call to be hung up; true if it was. */
    private boolean waitForHangup(long millis) throws InterruptedException {
        if (millis <= 0) {
            return channel.isHungUp();
        }
        try {
            channel.hangupRequested.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    private long deadline(Duration timeout) {
        return ChannelMedia.deadlineAfterMillis(limit(timeout).toMillis());
    }

    private Duration limit(Duration timeout) {
        return timeout == null ? pbx.config().stepTimeout() : timeout;
    }

    static String describe(Step step) {
        if (step instanceof Step.AwaitPrompt a) {
            return "awaitPrompt " + a.text();
        } else if (step instanceof Step.Press p) {
            return "press " + p.keys();
        } else if (step instanceof Step.Say s) {
            return "say " + s.text();
        } else if (step instanceof Step.Pause w) {
            return "wait " + w.duration().toMillis() + " ms";
        } else if (step instanceof Step.Hangup) {
            return "hangup";
        } else if (step instanceof Step.AbandonAfter a) {
            return "abandonAfter " + a.after().toMillis() + " ms";
        } else if (step instanceof Step.AwaitAgent) {
            return "awaitAgent";
        }
        return "awaitEnd";
    }
}
