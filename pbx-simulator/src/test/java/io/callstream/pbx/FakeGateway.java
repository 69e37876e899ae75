package io.callstream.pbx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A FastAGI server driven line by line by the test, to check the simulator's exact wire output. */
final class FakeGateway implements AutoCloseable {
    private final ServerSocket server;

    FakeGateway() throws IOException {
        server = new ServerSocket(0);
        server.setSoTimeout(10_000);
    }

    int port() {
        return server.getLocalPort();
    }

    Session accept() throws IOException {
        Socket s = server.accept();
        s.setSoTimeout(10_000);
        return new Session(s);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    static final class Session implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;
        final List<String> environmentLines = new ArrayList<>();
        final Map<String, String> environment = new LinkedHashMap<>();

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                environmentLines.add(line);
                int colon = line.indexOf(": ");
                environment.put(colon < 0 ? line : line.substring(0, colon), colon < 0 ? "" : line.substring(colon + 2));
            }
        }

        /** Sends one command and returns the first line of the reply. */
        String send(String command) throws IOException {
            write(command + "\n");
            return readLine();
        }

        void write(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        String readLine() throws IOException {
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
