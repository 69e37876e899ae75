package io.callstream.gateway.agi;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One selector thread serving many FastAGI connections: reads their sockets, runs its timers and the
 * tasks other threads hand it. A connection and its call session are guarded by the connection's
 * monitor: this thread holds it while it handles the socket, and the thread that brings a command
 * (the Kafka consumer) takes it to write the command's first AGI line at once, without a hop here.
 */
final class AgiLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(AgiLoop.class);
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A one-shot timer; cancel() before it fires and it never runs. */
    static final class Timer implements Comparable<Timer> {
        private final long due;
        private long seq;
        private final Runnable task;
        private volatile boolean cancelled;

        private Timer(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        private Timer withSeq(long seq) {
            this.seq = seq;
            return this;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    final Selector selector;
    /** Read buffer shared by this loop's connections: bytes are parsed into lines before the next read. */
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(16 * 1024);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final java.util.Set<AgiConnection> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private long timerSeq;
    private long nextTick = System.nanoTime() + TICK_NANOS;
    private volatile boolean closing;

    AgiLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this loop's thread, soon; callable from any thread. */
    void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} on this loop's thread after {@code delayMillis}; callable from any thread. */
    Timer schedule(long delayMillis, Runnable task) {
        Timer t = new Timer(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis), 0, task);
        if (inLoop()) {
            timers.add(t.withSeq(timerSeq++));
        } else {
            execute(() -> timers.add(t.withSeq(timerSeq++)));
        }
        return t;
    }

    void add(AgiConnection connection) {
        connections.add(connection);
    }

    void remove(AgiConnection connection) {
        connections.remove(connection);
    }

    /** Stops the loop, closing every connection it serves. */
    void close() {
        closing = true;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            while (!closing) {
                wakeupPending.set(false);
                long now = System.nanoTime();
                if (!tasks.isEmpty()) {
                    selector.selectNow();
                } else {
                    long until = Math.min(nextTick, timers.isEmpty() ? Long.MAX_VALUE : timers.peek().due);
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - now)));
                }
                processKeys();
                runTasks();
                runTimers();
            }
        } catch (ClosedSelectorException | IOException e) {
            if (!closing) {
                LOG.errorf("FastAGI loop %s stopped: %s", thread.getName(), e.toString());
            }
        } finally {
            for (AgiConnection c : new ArrayList<>(connections)) {
                synchronized (c) {
                    c.close("gateway stopping");
                }
            }
            runTasks();
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void processKeys() {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Object handler = key.attachment();
            try {
                if (handler instanceof AgiListener.Acceptor a) {
                    a.accept();
                } else if (handler instanceof AgiConnection c) {
                    synchronized (c) {
                        c.ready(key);
                    }
                }
            } catch (RuntimeException e) {
                LOG.errorf(e, "FastAGI loop: unexpected failure handling %s", handler);
                if (handler instanceof AgiConnection c) {
                    synchronized (c) {
                        c.close("gateway error");
                    }
                }
            }
        }
    }

    private void runTasks() {
        Runnable task;
        int budget = 10_000; // the rest waits for the next turn, after socket reads
        while (budget-- > 0 && (task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "FastAGI loop: a task failed");
            }
        }
    }

    private void runTimers() {
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek().due <= now) {
            Timer t = timers.poll();
            if (!t.cancelled) {
                try {
                    t.task.run();
                } catch (RuntimeException e) {
                    LOG.errorf(e, "FastAGI loop: a timer failed");
                }
            }
        }
        if (now >= nextTick) {
            nextTick = now + TICK_NANOS;
            for (AgiConnection c : new ArrayList<>(connections)) {
                try {
                    synchronized (c) {
                        c.tick(now);
                    }
                } catch (RuntimeException e) {
                    LOG.errorf(e, "FastAGI loop: periodic check of %s failed", c);
                }
            }
        }
    }
}
