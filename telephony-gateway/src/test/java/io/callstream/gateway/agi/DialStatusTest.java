package io.callstream.gateway.agi;

import io.callstream.contracts.call.DialFailureReason;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DialStatusTest {
    @Test
    void dialStatusesMapToFailureReasons() {
        assertEquals(DialFailureReason.NO_ANSWER, CommandRunner.failureOf("NOANSWER"));
        assertEquals(DialFailureReason.BUSY, CommandRunner.failureOf("BUSY"));
        assertEquals(DialFailureReason.CONGESTION, CommandRunner.failureOf("CONGESTION"));
        assertEquals(DialFailureReason.UNAVAILABLE, CommandRunner.failureOf("CHANUNAVAIL"));
        assertEquals(DialFailureReason.FAILED, CommandRunner.failureOf("CANCEL"));
        assertEquals(DialFailureReason.FAILED, CommandRunner.failureOf(null));
    }
}
