package io.callstream.gateway.agi;

import org.asteriskjava.fastagi.AgiException;
import org.asteriskjava.fastagi.AgiHangupException;
import org.asteriskjava.fastagi.AgiNetworkException;
import org.asteriskjava.fastagi.command.AgiCommand;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One FastAGI socket, non-blocking, on one {@link AgiLoop}: reads the {@code agi_*} environment,
 * then sends commands (asterisk-java's command classes build the lines) and matches each reply to
 * its command in order. The {@code HANGUP} notice res_agi sends when the channel hangs up is passed
 * on at once, whether or not a command is running. Lines longer than {@link #MAX_LINE}, an
 * environment that is not FastAGI, or one that does not complete within the handshake time close the
 * socket. Guarded by its own monitor (see {@link AgiLoop}); callers hold it.
 */
final class AgiConnection {
    private static final Logger LOG = Logger.getLogger(AgiConnection.class);
    /** res_agi's own replies are short; GET VARIABLE of our 800-character parts is the longest we ask for. */
    static final int MAX_LINE = 8192;
    static final int MAX_ENVIRONMENT_LINES = 256;

    /** What the call side does with the connection's news; called on the loop thread. */
    interface Handler {
        void onRequest(AgiConnection connection, Map<String, String> environment);

        void onHangupNotice();

        void onClosed(String why);
    }

    private record Pending(String line, CompletableFuture<AgiReply> reply) {
    }

    private enum State { ENVIRONMENT, COMMANDS, CLOSED }

    final AgiLoop loop;
    private final SocketChannel socket;
    private final Handler handler;
    private final Runnable onClose;
    private final long handshakeNanos;
    private final long openedAt = System.nanoTime();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>(2);
    private final ArrayDeque<ByteBuffer> writes = new ArrayDeque<>(2);
    private SelectionKey key;
    private State state = State.ENVIRONMENT;
    private Map<String, String> environment = new LinkedHashMap<>();
    private byte[] partial = new byte[128];
    private int partialLength;
    private List<String> usageBlock;
    private SocketAddress remote;

    AgiConnection(AgiLoop loop, SocketChannel socket, Handler handler, Runnable onClose, java.time.Duration handshake) {
        this.loop = loop;
        this.handshakeNanos = handshake.toNanos();
        this.socket = socket;
        this.handler = handler;
        this.onClose = onClose;
    }

    void register() throws IOException {
        remote = socket.getRemoteAddress();
        socket.configureBlocking(false);
        socket.socket().setTcpNoDelay(true);
        key = socket.register(loop.selector, SelectionKey.OP_READ, this);
        loop.add(this);
    }

    boolean isOpen() {
        return state != State.CLOSED;
    }

    /**
     * Sends one AGI command; the future completes on the loop thread with the reply, or with
     * AgiHangupException (511: the channel is gone), AgiException (510/520: refused) or
     * AgiNetworkException (the socket closed first).
     */
    CompletableFuture<AgiReply> send(AgiCommand command) {
        CompletableFuture<AgiReply> reply = new CompletableFuture<>();
        if (state != State.COMMANDS) {
            reply.completeExceptionally(new AgiNetworkException("the FastAGI connection is closed", null));
            return reply;
        }
        String line = command.buildCommand();
        pending.add(new Pending(line, reply));
        write(ByteBuffer.wrap((line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8)));
        return reply;
    }

    /** Called by the loop when the socket can be read or written. */
    void ready(SelectionKey k) {
        if (!k.isValid()) {
            close("socket invalid");
            return;
        }
        if (k.isWritable()) {
            flush();
        }
        if (state != State.CLOSED && k.isReadable()) {
            read();
        }
    }

    /** Once a second: a handshake that never completes is dropped. */
    void tick(long now) {
        if (state == State.ENVIRONMENT && now - openedAt > handshakeNanos) {
            LOG.warnf("FastAGI connection from %s sent no complete environment within %d ms; closing it",
                    remote, TimeUnit.NANOSECONDS.toMillis(handshakeNanos));
            close("no environment");
        } else if (state == State.COMMANDS && handler instanceof Tickable t) {
            t.tick(now);
        }
    }

    /** A handler that wants the loop's once-a-second tick. */
    interface Tickable {
        void tick(long now);
    }

    private void read() {
        ByteBuffer buffer = loop.readBuffer;
        while (state != State.CLOSED) {
            buffer.clear();
            int n;
            try {
                n = socket.read(buffer);
            } catch (IOException e) {
                close("read failed: " + e.getMessage());
                return;
            }
            if (n < 0) {
                close("closed by the switch");
                return;
            }
            if (n == 0) {
                return;
            }
            buffer.flip();
            while (buffer.hasRemaining() && state != State.CLOSED) {
                byte b = buffer.get();
                if (b == '\n') {
                    int length = partialLength > 0 && partial[partialLength - 1] == '\r' ? partialLength - 1 : partialLength;
                    String line = new String(partial, 0, length, StandardCharsets.UTF_8);
                    partialLength = 0;
                    line(line);
                } else {
                    if (partialLength == MAX_LINE) {
                        LOG.warnf("FastAGI connection from %s sent a line longer than %d bytes; closing it", remote, MAX_LINE);
                        close("line too long");
                        return;
                    }
                    if (partialLength == partial.length) {
                        partial = java.util.Arrays.copyOf(partial, Math.min(MAX_LINE, partial.length * 2));
                    }
                    partial[partialLength++] = b;
                }
            }
            if (partial.length > 1024 && partialLength == 0) {
                partial = new byte[128]; // a long reply went by: do not keep its buffer for the call's life
            }
        }
    }

    private void line(String line) {
        if (state == State.ENVIRONMENT) {
            environmentLine(line);
        } else if (usageBlock != null) {
            usageBlock.add(line);
            if (line.startsWith("520 ")) {
                List<String> block = usageBlock;
                usageBlock = null;
                reply(block);
            }
        } else if ("HANGUP".equals(line)) {
            handler.onHangupNotice();
        } else if (line.startsWith("520-")) {
            usageBlock = new ArrayList<>();
            usageBlock.add(line);
        } else if (AgiReply.statusOf(line) > 0) {
            reply(List.of(line));
        } else {
            LOG.debugf("FastAGI connection from %s: ignoring unexpected line '%s'", remote, abbreviate(line));
        }
    }

    private void environmentLine(String line) {
        if (line.isEmpty()) {
            if (environment.isEmpty()) {
                return; // leading blank lines carry nothing
            }
            state = State.COMMANDS;
            Map<String, String> env = environment;
            environment = null;
            handler.onRequest(this, env);
            return;
        }
        int colon = line.indexOf(": ");
        if (!line.startsWith("agi_") || colon < 0) {
            LOG.warnf("FastAGI connection from %s does not speak FastAGI ('%s'); closing it", remote, abbreviate(line));
            close("not FastAGI");
            return;
        }
        if (environment.size() >= MAX_ENVIRONMENT_LINES) {
            LOG.warnf("FastAGI connection from %s sent more than %d environment lines; closing it", remote,
                    MAX_ENVIRONMENT_LINES);
            close("environment too large");
            return;
        }
        environment.put(line.substring(0, colon), line.substring(colon + 2));
    }

    private void reply(List<String> lines) {
        Pending p = pending.poll();
        if (p == null) {
            LOG.debugf("FastAGI connection from %s: a reply nobody asked for: %s", remote, abbreviate(lines.get(0)));
            return;
        }
        AgiReply reply = AgiReply.parse(lines);
        switch (reply.status()) {
            case AgiReply.SUCCESS -> p.reply().complete(reply);
            case AgiReply.DEAD_CHANNEL -> p.reply().completeExceptionally(new AgiHangupException());
            default -> p.reply().completeExceptionally(new AgiException(
                    "the switch refused '" + abbreviate(p.line()) + "': " + lines.get(lines.size() - 1)));
        }
    }

    private void write(ByteBuffer data) {
        if (writes.isEmpty()) {
            try {
                socket.write(data);
            } catch (IOException e) {
                close("write failed: " + e.getMessage());
                return;
            }
            if (!data.hasRemaining()) {
                return;
            }
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            if (!loop.inLoop()) {
                loop.selector.wakeup(); // the loop's select takes the new interest on its next turn
            }
        }
        writes.add(data);
    }

    private void flush() {
        try {
            while (!writes.isEmpty()) {
                ByteBuffer head = writes.peek();
                socket.write(head);
                if (head.hasRemaining()) {
                    return;
                }
                writes.poll();
            }
            key.interestOps(SelectionKey.OP_READ);
        } catch (IOException e) {
            close("write failed: " + e.getMessage());
        }
    }

    /** Closes the socket; every command still waiting for its reply fails with AgiNetworkException. */
    void close(String why) {
        if (state == State.CLOSED) {
            return;
        }
        boolean hadCall = state == State.COMMANDS;
        state = State.CLOSED;
        if (key != null) {
            key.cancel();
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closed either way
        }
        loop.remove(this);
        onClose.run();
        Pending p;
        while ((p = pending.poll()) != null) {
            p.reply().completeExceptionally(new AgiNetworkException("the FastAGI connection closed: " + why, null));
        }
        if (hadCall) {
            handler.onClosed(why);
        }
    }

    private static String abbreviate(String line) {
        String printable = line.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "…" : printable;
    }

    @Override
    public String toString() {
        return "FastAGI connection from " + remote;
    }
}
