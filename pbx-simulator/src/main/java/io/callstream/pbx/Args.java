package io.callstream.pbx;

import java.util.ArrayList;
import java.util.List;

/** How Asterisk splits an AGI command line into words and an application's data into arguments. */
final class Args {
    private Args() {
    }

    /**
     * Splits an AGI command line the way res_agi does: words separated by spaces or tabs, double
     * quotes group (and are removed), a backslash makes the next character literal. An empty pair of
     * quotes is an empty word.
     */
    static List<String> agiWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder current = null;
        boolean quoted = false;
        boolean escaped = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (escaped) {
                if (current == null) {
                    current = new StringBuilder();
                }
                current.append(c);
                escaped = false;
                continue;
            }
            switch (c) {
                case '\\' -> escaped = true;
                case '"' -> {
                    quoted = !quoted;
                    if (quoted && current == null) {
                        current = new StringBuilder();
                    }
                }
                case ' ', '\t' -> {
                    if (quoted) {
                        current.append(c);
                    } else if (current != null) {
                        words.add(current.toString());
                        current = null;
                    }
                }
                default -> {
                    if (current == null) {
                        current = new StringBuilder();
                    }
                    current.append(c);
                }
            }
        }
        if (current != null) {
            words.add(current.toString());
        }
        return words;
    }

    /**
     * Splits application data at {@code delimiter} the way Asterisk's standard argument parsing does:
     * not inside double quotes, parentheses or brackets; quotes are removed and a backslash makes the
     * next character literal (so {@code \,} is a comma inside an argument). {@code ""} is no argument.
     */
    static List<String> appArgs(String data, char delimiter) {
        List<String> args = new ArrayList<>();
        if (data == null || data.isEmpty()) {
            return args;
        }
        StringBuilder current = new StringBuilder();
        int paren = 0;
        int bracket = 0;
        boolean quote = false;
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (c == '\\') {
                if (i + 1 < data.length()) {
                    current.append(data.charAt(++i));
                }
            } else if (c == '"' && delimiter != '"') {
                quote = !quote;
            } else if (c == '(') {
                paren++;
                current.append(c);
            } else if (c == ')') {
                if (paren > 0) {
                    paren--;
                }
                current.append(c);
            } else if (c == '[') {
                bracket++;
                current.append(c);
            } else if (c == ']') {
                if (bracket > 0) {
                    bracket--;
                }
                current.append(c);
            } else if (c == delimiter && paren == 0 && bracket == 0 && !quote) {
                args.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        args.add(current.toString());
        return args;
    }

    /** Argument {@code i} of a split list, or {@code fallback} when absent or empty. */
    static String arg(List<String> args, int i, String fallback) {
        return i < args.size() && !args.get(i).isEmpty() ? args.get(i) : fallback;
    }

    /** Asterisk's notion of "true": yes, true, y, t, 1, on. */
    static boolean isTrue(String s) {
        if (s == null) {
            return false;
        }
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "yes", "true", "y", "t", "1", "on" -> true;
            default -> false;
        };
    }

    static Integer parseInt(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Leading integer like C's atoi: "30abc" is 30, "" is 0. */
    static long atol(String s) {
        if (s == null) {
            return 0;
        }
        String t = s.trim();
        int i = 0;
        if (i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+')) {
            i++;
        }
        int start = i;
        while (i < t.length() && Character.isDigit(t.charAt(i)) && i - start < 18) {
            i++;
        }
        if (i == start) {
            return 0;
        }
        return Long.parseLong(t.substring(0, i));
    }

    /** Leading decimal number like C's atof ("1.5s" is 1.5), 0 when none. */
    static double atof(String s) {
        if (s == null) {
            return 0;
        }
        String t = s.trim();
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.' || (i == 0 && t.charAt(i) == '-'))) {
            i++;
        }
        try {
            return i == 0 ? 0 : Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
