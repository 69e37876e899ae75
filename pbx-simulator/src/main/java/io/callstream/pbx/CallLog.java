package io.callstream.pbx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Records what a scripted party experiences and lets its script wait for it. Thread-safe. */
final class CallLog {
    /** A latency sample: from the party's action (or the call start) to the next prompt heard. */
    record Latency(String label, long millis) {
    }

    static final int ENDED = -2;
    static final int TIMED_OUT = -1;

    final String id;
    final String direction;
    final String from;
    final String to;
    final Instant startedAt = Instant.now();
    final long startNanos = System.nanoTime();
    final CompletableFuture<Transcript> finished = new CompletableFuture<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Transcript.Event> events = new ArrayList<>();
    private final List<String> prompts = new ArrayList<>();
    private final StringBuilder keys = new StringBuilder();
    private final List<String> speech = new ArrayList<>();
    private final List<Transcript.ApplicationRun> runs = new ArrayList<>();
    private final List<Latency> latencies = new ArrayList<>();
    private final Map<String, String> variables = new LinkedHashMap<>();
    private String channel;
    private String uniqueId;
    private boolean bridged;
    private boolean bridgedToAgent;
    private boolean inBridge;
    private long bridgedAtMs = -1;
    private boolean abandoned;
    private boolean hungUp;
    private String hungUpBy;
    private int cause = -1;
    private String outcome;
    private String error;
    private Instant endedAt;
    private String result;
    private long actionNanos = -1;
    private String actionLabel;
    private int partiesRunning;
    private boolean channelGone;

    CallLog(String id, String direction, String from, String to) {
        this.id = id;
        this.direction = direction;
        this.from = from;
        this.to = to;
    }

    long elapsedMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    void attach(Channel c) {
        lock.lock();
        try {
            channel = c.name;
            uniqueId = c.uniqueId;
            add("channel", c.name + " created (" + c.uniqueId + ")");
        } finally {
            lock.unlock();
        }
    }

    void variables(Map<String, String> vars) {
        lock.lock();
        try {
            variables.putAll(vars);
        } finally {
            lock.unlock();
        }
    }

    void event(String type, String detail) {
        lock.lock();
        try {
            add(type, detail);
        } finally {
            lock.unlock();
        }
    }

    /** The party hears a prompt: {@code kind} file, tts, digits, number, alpha, speech-prompt... */
    void prompt(String kind, String text) {
        lock.lock();
        try {
            prompts.add(text);
            add("prompt", "[" + kind + "] " + text);
            if (actionNanos >= 0) {
                latencies.add(new Latency(actionLabel, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - actionNanos)));
                actionNanos = -1;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Starts a latency measurement that the next prompt ends. */
    void actionDone(String label) {
        lock.lock();
        try {
            actionNanos = System.nanoTime();
            actionLabel = label;
        } finally {
            lock.unlock();
        }
    }

    /** A key the party pressed at {@code atMs} (taken before pressing, so it sorts before what it caused). */
    void keySent(char key, boolean heard, long atMs) {
        lock.lock();
        try {
            keys.append(key);
            Transcript.Event e = new Transcript.Event(atMs, heard ? "key" : "key-lost",
                    heard ? String.valueOf(key) : key + " (nothing was reading keys)");
            int i = events.size();
            while (i > 0 && events.get(i - 1).atMs() > atMs) {
                i--;
            }
            events.add(i, e);
        } finally {
            lock.unlock();
        }
    }

    void said(String text) {
        lock.lock();
        try {
            speech.add(text);
            add("speech", text);
        } finally {
            lock.unlock();
        }
    }

    void application(String app, String args, int result) {
        lock.lock();
        try {
            runs.add(new Transcript.ApplicationRun(elapsedMs(), app, args, result));
            add("app", app + "(" + args + ") = " + result);
        } finally {
            lock.unlock();
        }
    }

    void bridged(String peer, boolean agent) {
        lock.lock();
        try {
            if (!bridged) {
                bridgedAtMs = elapsedMs();
            }
            bridged = true;
            bridgedToAgent |= agent;
            inBridge = true;
            add("bridge", "bridged with " + peer);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void unbridged(String peer) {
        lock.lock();
        try {
            inBridge = false;
            add("bridge", "bridge with " + peer + " ended");
        } finally {
            lock.unlock();
        }
    }

    void abandoned() {
        lock.lock();
        try {
            abandoned = true;
            add("note", "abandoned: not bridged to an agent in time");
        } finally {
            lock.unlock();
        }
    }

    /** The outcome of an originated call (ANSWERED, BUSY...). */
    void outcome(String value) {
        lock.lock();
        try {
            outcome = value;
        } finally {
            lock.unlock();
        }
    }

    /** Records a failure; the first one is kept as the error. */
    void error(String message) {
        lock.lock();
        try {
            if (error == null) {
                error = message;
            }
            add("error", message);
        } finally {
            lock.unlock();
        }
    }

    void hungUp(String by, int cause) {
        lock.lock();
        try {
            if (hungUp) {
                return;
            }
            hungUp = true;
            hungUpBy = by;
            this.cause = cause;
            add("hangup", "by " + by + ", cause " + cause + " (" + Causes.text(cause) + ")");
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A scripted party starts acting on this call; the call ends only once it is done. */
    void partyStarted() {
        lock.lock();
        try {
            partiesRunning++;
        } finally {
            lock.unlock();
        }
    }

    /** The party's script is over; returns the final transcript if that ended the call. */
    Transcript partyDone() {
        lock.lock();
        try {
            partiesRunning--;
        } finally {
            lock.unlock();
        }
        return completeIfOver();
    }

    /**
     * The call's channel is gone (or none was ever made). The call is over once its party has also
     * finished, so a failure the script notices last still makes the result; returns the final
     * transcript then, else null.
     */
    Transcript finish() {
        lock.lock();
        try {
            channelGone = true;
        } finally {
            lock.unlock();
        }
        return completeIfOver();
    }

    /** Ends the call now, party or not (simulator shutdown). */
    Transcript forceFinish() {
        lock.lock();
        try {
            channelGone = true;
            partiesRunning = 0;
        } finally {
            lock.unlock();
        }
        return completeIfOver();
    }

    private Transcript completeIfOver() {
        Transcript t;
        lock.lock();
        try {
            if (endedAt != null || !channelGone || partiesRunning > 0) {
                return null;
            }
            endedAt = Instant.now();
            result = computeResult();
            add("end", "result " + result);
            changed.signalAll();
            t = snapshotLocked();
        } finally {
            lock.unlock();
        }
        finished.complete(t);
        return t;
    }

    private String computeResult() {
        if ("outbound".equals(direction)) {
            String base = outcome == null ? "FAILED" : outcome;
            return "ANSWERED".equals(base) && error != null ? "FAILED" : base;
        }
        if (error != null) {
            return "FAILED";
        }
        if (abandoned) {
            return "ABANDONED";
        }
        if (bridgedToAgent) {
            return "AGENT";
        }
        return bridged ? "BRIDGED" : "COMPLETED";
    }

    /**
     * Waits for a prompt whose text contains {@code needle} (ignoring case) at or after position
     * {@code from}; returns its position, {@link #TIMED_OUT} or {@link #ENDED} (hung up).
     */
    int awaitPrompt(String needle, int from, long deadline) throws InterruptedException {
        String n = needle.toLowerCase(Locale.ROOT);
        lock.lock();
        try {
            while (true) {
                for (int i = from; i < prompts.size(); i++) {
                    if (prompts.get(i).toLowerCase(Locale.ROOT).contains(n)) {
                        return i;
                    }
                }
                if (hungUp || endedAt != null) {
                    return ENDED;
                }
                if (!await(deadline)) {
                    return TIMED_OUT;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until bridged: 1 bridged, {@link #TIMED_OUT}, {@link #ENDED}. */
    int awaitBridged(long deadline) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (bridged) {
                    return 1;
                }
                if (hungUp || endedAt != null) {
                    return ENDED;
                }
                if (!await(deadline)) {
                    return TIMED_OUT;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean await(long deadline) throws InterruptedException {
        if (ChannelMedia.passed(deadline)) {
            return false;
        }
        long left = deadline == ChannelMedia.FOREVER ? TimeUnit.SECONDS.toNanos(1) : deadline - System.nanoTime();
        changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        return true;
    }

    boolean isBridged() {
        return locked(() -> bridged);
    }

    boolean inBridge() {
        return locked(() -> inBridge);
    }

    int promptCount() {
        return locked(() -> prompts.size());
    }

    long bridgedAtMs() {
        return locked(() -> bridgedAtMs);
    }

    List<Latency> latencies() {
        return locked(() -> List.copyOf(latencies));
    }

    String error() {
        return locked(() -> error);
    }

    Transcript snapshot() {
        return locked(() -> snapshotLocked());
    }

    private Transcript snapshotLocked() {
        List<String> apps = runs.stream().map(Transcript.ApplicationRun::application).toList();
        return new Transcript(id, direction, from, to, channel, uniqueId, startedAt, endedAt, List.copyOf(prompts),
                keys.toString(), List.copyOf(speech), apps, List.copyOf(runs), bridged, hungUpBy, cause,
                cause < 0 ? null : Causes.text(cause), result, error,
                Collections.unmodifiableMap(new LinkedHashMap<>(variables)), List.copyOf(events));
    }

    private void add(String type, String detail) {
        events.add(new Transcript.Event(elapsedMs(), type, detail));
    }

    /** Reads state under the log's lock. */
    private <T> T locked(java.util.function.Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }
}
