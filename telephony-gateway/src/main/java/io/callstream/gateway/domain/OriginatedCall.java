package io.callstream.gateway.domain;

import io.callstream.contracts.Json;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an originate carries to its answered leg, whichever replica that leg reaches: base64url JSON
 * in channel variables. Asterisk reads AMI lines of at most 1024 bytes, so the value is split into
 * parts of {@value #PART_LENGTH} characters: {@code CALLSTREAM_CALL_PARTS=n},
 * {@code CALLSTREAM_CALL_0} … {@code CALLSTREAM_CALL_<n-1>}.
 */
public record OriginatedCall(String callId, String commandId, String attemptId, String from, String to,
                             Map<String, String> variables) {
    public static final String PARTS_VARIABLE = "CALLSTREAM_CALL_PARTS";
    public static final String PART_PREFIX = "CALLSTREAM_CALL_";
    static final int PART_LENGTH = 800;
    /** Far more than a task's variables need; keeps the number of GET VARIABLE round trips small. */
    public static final int MAX_PARTS = 40;

    /** The channel variables to set on the Originate. */
    public Map<String, String> toChannelVariables() {
        String packed = Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(this));
        int parts = (packed.length() + PART_LENGTH - 1) / PART_LENGTH;
        if (parts > MAX_PARTS) {
            throw new IllegalArgumentException("the call's variables take " + packed.length()
                    + " characters packed; at most " + MAX_PARTS * PART_LENGTH);
        }
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put(PARTS_VARIABLE, String.valueOf(parts));
        for (int i = 0; i < parts; i++) {
            vars.put(PART_PREFIX + i, packed.substring(i * PART_LENGTH, Math.min(packed.length(), (i + 1) * PART_LENGTH)));
        }
        return vars;
    }

    /** The number of parts {@code CALLSTREAM_CALL_PARTS} announces; refuses a count out of range. */
    public static int partCount(String count) {
        int parts;
        try {
            parts = Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PARTS_VARIABLE + " is '" + count + "'");
        }
        if (parts < 1 || parts > MAX_PARTS) {
            throw new IllegalArgumentException(PARTS_VARIABLE + " is " + parts);
        }
        return parts;
    }

    /** The call from its parts joined in order. */
    public static OriginatedCall decode(String packed) {
        return Json.read(Base64.getUrlDecoder().decode(packed), OriginatedCall.class);
    }
}
