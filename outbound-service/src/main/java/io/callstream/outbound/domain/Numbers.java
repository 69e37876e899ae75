package io.callstream.outbound.domain;

import java.util.regex.Pattern;

/** Phone numbers as outbound tasks accept them: digits with an optional leading +, 3 to 20 digits. */
public final class Numbers {
    private static final Pattern NUMBER = Pattern.compile("\\+?[0-9]{3,20}");

    public static boolean valid(String number) {
        return number != null && NUMBER.matcher(number).matches();
    }

    /** The reason a number is refused, or null. */
    public static String refusal(String number) {
        if (number == null || number.isBlank()) {
            return "required";
        }
        return valid(number) ? null : "not a phone number (3 to 20 digits, optional leading +): " + abbreviate(number);
    }

    static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private Numbers() {
    }
}
