package io.callstream.gateway.agi;

import java.util.List;

/**
 * One reply of res_agi to a command: {@code 200 result=<result> [(<extra>)] [key=value…]}, or a
 * status line of its own ({@code 510}, {@code 511}, the {@code 520-}… usage block).
 *
 * @param status the three-digit code (200, 510, 511, 520)
 * @param result what follows {@code result=} up to the first space; "" when absent
 * @param extra the text in parentheses (GET VARIABLE's value, GET DATA's "timeout"); null when none
 * @param lines the reply as received
 */
public record AgiReply(int status, String result, String extra, List<String> lines) {
    public static final int SUCCESS = 200;
    public static final int INVALID_OR_UNKNOWN_COMMAND = 510;
    public static final int DEAD_CHANNEL = 511;
    public static final int INVALID_COMMAND_SYNTAX = 520;

    /** Parses the reply's lines (one, or a 520 block whose last line starts with "520 "). */
    public static AgiReply parse(List<String> lines) {
        String first = lines.get(0);
        int status = statusOf(first);
        String result = "";
        String extra = null;
        int at = first.indexOf("result=");
        if (status == SUCCESS && at >= 0) {
            int start = at + "result=".length();
            int end = first.indexOf(' ', start);
            result = end < 0 ? first.substring(start) : first.substring(start, end);
            if (end >= 0) {
                int open = first.indexOf('(', end);
                int close = first.lastIndexOf(')');
                if (open >= 0 && close > open) {
                    extra = first.substring(open + 1, close);
                }
            }
        }
        return new AgiReply(status, result, extra, List.copyOf(lines));
    }

    /** The result as a number (a key's character code, 0, -1 for hang-up…); -1 when it is none. */
    public int resultCode() {
        try {
            return Integer.parseInt(result.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A reply line's status code, or -1 when the line does not start with three digits. */
    static int statusOf(String line) {
        if (line.length() < 3) {
            return -1;
        }
        for (int i = 0; i < 3; i++) {
            if (!Character.isDigit(line.charAt(i))) {
                return -1;
            }
        }
        if (line.length() > 3 && line.charAt(3) != ' ' && line.charAt(3) != '-') {
            return -1;
        }
        return Integer.parseInt(line.substring(0, 3));
    }
}
