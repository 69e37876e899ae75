package io.callstream.pbx;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * What travels on a channel between the scripted party and whatever the switch runs on it: keys the
 * party presses, what it says, and the interruption when the channel is hung up (or redirected).
 * Keys pressed while nothing is reading them are lost, as on Asterisk, where an idle AGI channel
 * reads and drops DTMF frames.
 */
final class ChannelMedia {
    /** Thrown by every wait once the channel is hung up or moved out of its application. */
    static final class Interrupted extends Exception {
        private static final long serialVersionUID = 1L;

        Interrupted() {
            super("channel interrupted", null, false, false);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Character> digits = new ArrayDeque<>();
    private int listeners;
    private boolean interrupted;
    private String speech;

    /** The party presses a key; returns whether anything on the switch side was reading keys. */
    boolean press(char digit) {
        lock.lock();
        try {
            if (interrupted || listeners == 0) {
                return false;
            }
            digits.addLast(digit);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The party's answer for the next speech recognition. */
    void say(String text) {
        lock.lock();
        try {
            speech = text;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Starts reading keys; keys pressed from now on are queued until {@link #stopListening()}. */
    void listen() {
        lock.lock();
        try {
            listeners++;
        } finally {
            lock.unlock();
        }
    }

    void stopListening() {
        lock.lock();
        try {
            if (listeners > 0 && --listeners == 0) {
                digits.clear();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next key, or 0 once {@code deadline} (System.nanoTime) has passed. */
    char nextDigit(long deadline) throws Interrupted {
        lock.lock();
        try {
            while (true) {
                checkInterrupted();
                Character d = digits.pollFirst();
                if (d != null) {
                    return d;
                }
                if (!awaitUntil(deadline)) {
                    checkInterrupted();
                    d = digits.pollFirst();
                    return d == null ? 0 : d;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the deadline; throws when the channel is interrupted first. */
    void pause(long deadline) throws Interrupted {
        awaitCondition(deadline, () -> false);
    }

    /** Waits until {@code done} holds (true) or the deadline passes (false). */
    boolean awaitCondition(long deadline, BooleanSupplier done) throws Interrupted {
        lock.lock();
        try {
            while (true) {
                checkInterrupted();
                if (done.getAsBoolean()) {
                    return true;
                }
                if (!awaitUntil(deadline)) {
                    checkInterrupted();
                    return done.getAsBoolean();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Speech the party has said and nobody has recognised yet, or null; it is consumed. */
    String takeSpeech() {
        lock.lock();
        try {
            String s = speech;
            speech = null;
            return s;
        } finally {
            lock.unlock();
        }
    }

    boolean hasSpeech() {
        lock.lock();
        try {
            return speech != null;
        } finally {
            lock.unlock();
        }
    }

    boolean hasDigits() {
        lock.lock();
        try {
            return !digits.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter so it re-checks its condition. */
    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void interrupt() {
        lock.lock();
        try {
            interrupted = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** After a redirect the channel lives on in a new application. */
    void reset() {
        lock.lock();
        try {
            interrupted = false;
            digits.clear();
            listeners = 0;
        } finally {
            lock.unlock();
        }
    }

    boolean isInterrupted() {
        lock.lock();
        try {
            return interrupted;
        } finally {
            lock.unlock();
        }
    }

    private void checkInterrupted() throws Interrupted {
        if (interrupted) {
            throw new Interrupted();
        }
    }

    /** Waits (lock held) until signalled or the deadline; false once the deadline has passed. */
    private boolean awaitUntil(long deadline) throws Interrupted {
        long left = deadline == FOREVER ? Long.MAX_VALUE : deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            changed.awaitNanos(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        } catch (InterruptedException e) {
            // the simulator is shutting down: treat as a hangup
            Thread.currentThread().interrupt();
            interrupted = true;
            throw new Interrupted();
        }
        return true;
    }

    /** A deadline (System.nanoTime based) that never passes. */
    static final long FOREVER = Long.MAX_VALUE;

    /** The deadline {@code millis} from now; negative means {@link #FOREVER}. */
    static long deadlineAfterMillis(long millis) {
        if (millis < 0) {
            return FOREVER;
        }
        // at most ten years ahead, so deadline arithmetic never wraps past half the long range
        long nanos = TimeUnit.MILLISECONDS.toNanos(Math.min(millis, TimeUnit.DAYS.toMillis(3650)));
        long d = System.nanoTime() + nanos;
        return d == FOREVER ? d - 1 : d;
    }

    /** Whether the deadline has passed. */
    static boolean passed(long deadline) {
        return deadline != FOREVER && deadline - System.nanoTime() <= 0;
    }

    /** The earlier of two deadlines. */
    static long earlier(long a, long b) {
        if (a == FOREVER) {
            return b;
        }
        if (b == FOREVER) {
            return a;
        }
        return a - b <= 0 ? a : b;
    }
}
