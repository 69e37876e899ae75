package io.callstream.pbx;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads {@code \n}-terminated lines (a trailing {@code \r} is dropped) with a bound on their length.
 * A read timeout of the socket surfaces as {@link java.net.SocketTimeoutException} and leaves a
 * half-read line intact, so the caller can simply read again.
 */
final class LineReader {
    /** A line; {@code tooLong} when it exceeded the bound and only its start was kept. */
    record Line(String text, boolean tooLong) {
    }

    private final InputStream in;
    private final int maxLength;
    private final byte[] buffer = new byte[4096];
    private int position;
    private int limit;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean overflow;

    LineReader(InputStream in, int maxLength) {
        this.in = in;
        this.maxLength = maxLength;
    }

    /** The next line, or {@code null} at the end of the stream (a partial last line is dropped). */
    Line readLine() throws IOException {
        while (true) {
            if (position == limit) {
                int n = in.read(buffer);
                if (n < 0) {
                    return null;
                }
                position = 0;
                limit = n;
            }
            while (position < limit) {
                byte b = buffer[position++];
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int length = bytes.length;
                    if (length > 0 && bytes[length - 1] == '\r') {
                        length--;
                    }
                    Line result = new Line(new String(bytes, 0, length, StandardCharsets.UTF_8), overflow);
                    line.reset();
                    overflow = false;
                    return result;
                }
                if (line.size() < maxLength) {
                    line.write(b);
                } else {
                    overflow = true;
                }
            }
        }
    }
}
