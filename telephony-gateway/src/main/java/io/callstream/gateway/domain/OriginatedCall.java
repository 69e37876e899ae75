package io.callstream.gateway.domain;

import io.callstream.contracts.Json;

import java.util.Base64;
import java.util.Map;

/**
 * What an originate carries to the answered leg, packed into one channel variable
 * ({@value #VARIABLE}) so the AGI session reads it with a single GET VARIABLE, whichever replica it
 * reaches.
 */
public record OriginatedCall(String callId, String commandId, String attemptId, String from, String to,
                             Map<String, String> variables) {
    public static final String VARIABLE = "CALLSTREAM_CALL";

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(this));
    }

    public static OriginatedCall decode(String packed) {
        return Json.read(Base64.getUrlDecoder().decode(packed), OriginatedCall.class);
    }
}
