package io.callstream.pbx;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Accepts AMI clients; one {@link AmiSession} (a reader and a writer thread) per connection. */
final class AmiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AmiServer.class.getName());
    /** More connections than this are closed right after accepting. */
    static final int MAX_SESSIONS = 256;

    private final Pbx pbx;
    private final ServerSocket serverSocket;
    private final Thread acceptor;
    private final Set<AmiSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger sessionIds = new AtomicInteger();
    private volatile boolean closed;

    AmiServer(Pbx pbx, int port) throws IOException {
        this.pbx = pbx;
        this.serverSocket = new ServerSocket();
        serverSocket.setReuseAddress(true);
        serverSocket.bind(new InetSocketAddress(port));
        this.acceptor = new Thread(this::acceptLoop, "pbx-ami-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "AMI accept failed: " + e.getMessage());
                }
                continue;
            }
            if (closed || sessions.size() >= MAX_SESSIONS) {
                closeQuietly(socket);
                continue;
            }
            try {
                socket.setTcpNoDelay(true);
                AmiSession session = new AmiSession(this, pbx, socket, sessionIds.incrementAndGet());
                sessions.add(session);
                session.start();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "AMI session could not start: " + e.getMessage());
                closeQuietly(socket);
            }
        }
    }

    /** Sends an event to every logged-in session that wants events. */
    void broadcast(AmiMessage event) {
        if (sessions.isEmpty()) {
            return;
        }
        String wire = event.wire();
        for (AmiSession s : sessions) {
            if (s.wantsEvents()) {
                s.send(wire);
            }
        }
    }

    /** Writes text as it is, unframed, to every logged-in session (to test what a client does with it). */
    void broadcastRaw(String text) {
        for (AmiSession s : sessions) {
            if (s.wantsEvents()) {
                s.send(text);
            }
        }
    }

    void removed(AmiSession session) {
        sessions.remove(session);
    }

    int sessionCount() {
        return sessions.size();
    }

    /** Closes every client connection abruptly; the server keeps listening. */
    void dropConnections() {
        for (AmiSession s : sessions) {
            s.abort();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            // closing anyway
        }
        dropConnections();
        join(acceptor);
        for (AmiSession s : sessions) {
            s.join();
        }
    }

    static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
