package io.callstream.servicekit.webhook;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wait after each failed try, with the defaults: 5 s doubled up to 30 min, ±20%. */
class WebhookBackoffTest {
    private static final long INITIAL = 5_000;
    private static final long MAX = 30 * 60_000;

    @Test
    void doublesFromTheInitialBackoffUpToTheMaximum() {
        assertEquals(5_000, WebhookDispatcher.backoffMillis(1, INITIAL, MAX, 0.5));
        assertEquals(10_000, WebhookDispatcher.backoffMillis(2, INITIAL, MAX, 0.5));
        assertEquals(20_000, WebhookDispatcher.backoffMillis(3, INITIAL, MAX, 0.5));
        assertEquals(1_280_000, WebhookDispatcher.backoffMillis(9, INITIAL, MAX, 0.5));
        assertEquals(MAX, WebhookDispatcher.backoffMillis(10, INITIAL, MAX, 0.5));
        assertEquals(MAX, WebhookDispatcher.backoffMillis(5_000, INITIAL, MAX, 0.5), "no overflow");
    }

    @Test
    void jitterIsTwentyPercentEitherWay() {
        assertEquals(8_000, WebhookDispatcher.backoffMillis(2, INITIAL, MAX, 0.0));
        assertEquals(12_000, WebhookDispatcher.backoffMillis(2, INITIAL, MAX, 1.0));
        assertEquals(Math.round(MAX * 1.2), WebhookDispatcher.backoffMillis(20, INITIAL, MAX, 1.0));
    }
}
