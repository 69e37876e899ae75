package io.callstream.gateway.domain;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginatedCallTest {
    @Test
    void packsIntoOneChannelVariableSafeValueAndBack() {
        OriginatedCall call = new OriginatedCall("call-1", "cmd-1", "attempt-1", "4001", "13900000001",
                Map.of("name", "Zhang, Wei", "note", "a=b;c \"quoted\" 续费"));
        String packed = call.encode();
        assertTrue(packed.matches("[A-Za-z0-9_-]+"), "no comma, quote, '=' or space to upset Asterisk: " + packed);
        assertEquals(call, OriginatedCall.decode(packed));
    }
}
