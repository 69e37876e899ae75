package io.callstream.servicekit.tx;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * A clock that ends what is due in the database (after-call work, queue timeouts): every interval, on
 * a thread of its own, it runs rounds of at most {@code perRound} rows until a round finds fewer. The
 * deadlines live in rows, so a restarted process, or another replica (rounds claim rows with
 * {@code SKIP LOCKED}), ends them too.
 */
public final class Sweeper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Sweeper.class);

    private final ScheduledExecutorService thread;

    private Sweeper(String name, Duration every, int perRound, IntUnaryOperator round) {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        long ms = every.toMillis();
        thread.scheduleWithFixedDelay(() -> {
            try {
                while (round.applyAsInt(perRound) == perRound) {
                    // more are due: go on at once
                }
            } catch (RuntimeException e) {
                LOG.warnf("%s failed, retrying in %s: %s", name, every, e.toString());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts sweeping: {@code round} gets the most rows it may take and returns how many it took. */
    public static Sweeper start(String name, Duration every, int perRound, IntUnaryOperator round) {
        return new Sweeper(name, every, perRound, round);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
