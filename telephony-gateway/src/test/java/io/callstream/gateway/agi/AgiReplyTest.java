package io.callstream.gateway.agi;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AgiReplyTest {
    @Test
    void readsResultExtraAndNumericCodeOfRes_agiReplies() {
        AgiReply key = AgiReply.parse(List.of("200 result=49 endpos=12000"));
        assertEquals(200, key.status());
        assertEquals(49, key.resultCode());
        assertNull(key.extra());

        AgiReply timeout = AgiReply.parse(List.of("200 result=12 (timeout)"));
        assertEquals("12", timeout.result());
        assertEquals("timeout", timeout.extra());

        AgiReply noKeys = AgiReply.parse(List.of("200 result= (timeout)"));
        assertEquals("", noKeys.result());
        assertEquals("timeout", noKeys.extra());

        AgiReply variable = AgiReply.parse(List.of("200 result=1 (Zhang (Wei) a=b)"));
        assertEquals(1, variable.resultCode());
        assertEquals("Zhang (Wei) a=b", variable.extra(), "a value keeps its own parentheses");

        assertEquals(-1, AgiReply.parse(List.of("200 result=-1")).resultCode());
        assertEquals(-1, AgiReply.parse(List.of("200 result=abc")).resultCode(), "not a number");
    }

    @Test
    void statusLinesOtherThan200CarryNoResult() {
        AgiReply dead = AgiReply.parse(List.of("511 Command Not Permitted on a dead channel or intercept routine"));
        assertEquals(AgiReply.DEAD_CHANNEL, dead.status());
        assertEquals("", dead.result());
        AgiReply usage = AgiReply.parse(List.of("520-Invalid command syntax.  Proper usage follows:",
                "Usage: GET DATA <file to be streamed> [timeout] [max digits]", "520 End of proper usage."));
        assertEquals(AgiReply.INVALID_COMMAND_SYNTAX, usage.status());
        assertEquals(3, usage.lines().size());
        assertEquals(-1, AgiReply.statusOf("HANGUP"));
        assertEquals(-1, AgiReply.statusOf("2000 x"));
        assertEquals(510, AgiReply.statusOf("510 Invalid or unknown command"));
    }
}
