package io.callstream.gateway.domain;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginatedCallTest {
    @Test
    void packsIntoChannelVariablesThatFitAsteriskAndReadsBack() {
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            vars.put("field" + i, "Zhang, Wei; a=b \"quoted\" 续费 " + i);
        }
        OriginatedCall call = new OriginatedCall("call-1", "cmd-1", "attempt-1", "4001", "13900000001", vars);
        Map<String, String> channel = call.toChannelVariables();
        assertTrue(Integer.parseInt(channel.get(OriginatedCall.PARTS_VARIABLE)) > 1, "large enough to need parts");
        channel.forEach((name, value) -> {
            assertTrue(("Variable: " + name + "=" + value).length() < 1024, "an AMI line stays under 1024 bytes");
            assertTrue(value.matches("[A-Za-z0-9_-]+"), "no comma, quote, '=' or space to upset Asterisk");
        });
        int parts = OriginatedCall.partCount(channel.get(OriginatedCall.PARTS_VARIABLE));
        StringBuilder packed = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            packed.append(channel.get(OriginatedCall.PART_PREFIX + i));
        }
        assertEquals(call, OriginatedCall.decode(packed.toString()));
    }

    @Test
    void partCountsOutOfRangeAndOversizedVariablesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> OriginatedCall.partCount("0"));
        assertThrows(IllegalArgumentException.class, () -> OriginatedCall.partCount("41"));
        assertThrows(IllegalArgumentException.class, () -> OriginatedCall.partCount("two"));
        Map<String, String> huge = Map.of("blob", "x".repeat(40_000));
        assertThrows(IllegalArgumentException.class, () ->
                new OriginatedCall("c", "k", "a", "1", "2", huge).toChannelVariables());
    }
}
