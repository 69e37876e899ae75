package io.callstream.gateway.ami;

import io.callstream.contracts.call.OriginateOutcome;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Asterisk's OriginateResponse reasons are AST_CONTROL_* values. */
class OriginateOutcomeTest {
    @Test
    void reasonsMapToOutcomes() {
        assertEquals(OriginateOutcome.FAILED, AmiClient.outcomeOf(0));
        assertEquals(OriginateOutcome.REJECTED, AmiClient.outcomeOf(1));
        assertEquals(OriginateOutcome.NO_ANSWER, AmiClient.outcomeOf(3));
        assertEquals(OriginateOutcome.BUSY, AmiClient.outcomeOf(5));
        assertEquals(OriginateOutcome.CONGESTION, AmiClient.outcomeOf(8));
        assertEquals(OriginateOutcome.FAILED, AmiClient.outcomeOf(null));
        assertEquals(OriginateOutcome.FAILED, AmiClient.outcomeOf(42));
    }
}
