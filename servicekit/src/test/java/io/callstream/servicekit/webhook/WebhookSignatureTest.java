package io.callstream.servicekit.webhook;

import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSignatureTest {
    private static final String SECRET = "whsec_test_0123";
    private static final long TS = 1_700_000_000L;
    private static final byte[] BODY = "{\"callId\":\"c-42\",\"caller\":\"+8613800000000\"}".getBytes(StandardCharsets.UTF_8);
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
    private static final Instant AT_TS = Instant.ofEpochSecond(TS);

    @Test
    void signatureIsHmacSha256OfTimestampDotBodyInLowercaseHex() throws Exception {
        // Computed here with javax.crypto directly, and once outside Java (Python's hmac module).
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((TS + ".").getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : mac.doFinal(BODY)) {
            hex.append(String.format("%02x", b));
        }
        assertEquals("v1=" + hex, WebhookSignature.sign(SECRET, TS, BODY));
        assertEquals("v1=2b61f4824cf8faba6f2d9eda1c3c374957f399085c5ad11f7e6c6ccb66b22d4a",
                WebhookSignature.sign(SECRET, TS, BODY));
    }

    @Test
    void freshSignatureVerifiesWithinTheToleranceEitherWay() {
        String sig = WebhookSignature.sign(SECRET, TS, BODY);
        assertTrue(verify(sig, BODY, AT_TS));
        assertTrue(verify(sig, BODY, AT_TS.plus(FIVE_MINUTES)), "exactly at the tolerance");
        assertTrue(verify(sig, BODY, AT_TS.minus(FIVE_MINUTES)), "sender's clock a little ahead");
    }

    @Test
    void signatureOlderOrNewerThanTheToleranceIsRefused() {
        String sig = WebhookSignature.sign(SECRET, TS, BODY);
        assertFalse(verify(sig, BODY, AT_TS.plus(FIVE_MINUTES).plusSeconds(1)), "a replay after the tolerance");
        assertFalse(verify(sig, BODY, AT_TS.minus(FIVE_MINUTES).minusSeconds(1)));
    }

    @Test
    void tamperedBodyTimestampOrSecretIsRefused() {
        String sig = WebhookSignature.sign(SECRET, TS, BODY);
        byte[] tampered = BODY.clone();
        tampered[tampered.length - 3] ^= 1;
        assertFalse(verify(sig, tampered, AT_TS), "tampered body");
        assertFalse(WebhookSignature.verify(SECRET, Long.toString(TS + 1), sig, BODY, FIVE_MINUTES, AT_TS),
                "timestamp moved: it is signed too");
        assertFalse(WebhookSignature.verify("another-secret", Long.toString(TS), sig, BODY, FIVE_MINUTES, AT_TS));
    }

    @Test
    void malformedHeadersAreRefusedWithoutAnException() {
        String sig = WebhookSignature.sign(SECRET, TS, BODY);
        String ts = Long.toString(TS);
        assertFalse(WebhookSignature.verify(SECRET, null, sig, BODY, FIVE_MINUTES, AT_TS));
        assertFalse(WebhookSignature.verify(SECRET, ts, null, BODY, FIVE_MINUTES, AT_TS));
        assertFalse(WebhookSignature.verify(SECRET, ts, sig, null, FIVE_MINUTES, AT_TS));
        for (String badTs : new String[] {"", "abc", "-1700000000", "1.7e9", "99999999999999999999"}) {
            assertFalse(WebhookSignature.verify(SECRET, badTs, sig, BODY, FIVE_MINUTES, AT_TS), badTs);
        }
        String hex = sig.substring(3);
        for (String badSig : new String[] {"", hex, "v2=" + hex, "v1=" + hex.toUpperCase(), "v1=" + hex.substring(2),
                "v1=zz" + hex.substring(2)}) {
            assertFalse(verify(badSig, BODY, AT_TS), badSig);
        }
    }

    @Test
    void anyOfSeveralSignaturesMayMatch() {
        String sig = WebhookSignature.sign(SECRET, TS, BODY);
        String old = WebhookSignature.sign("the-previous-secret", TS, BODY);
        assertTrue(verify(old + ", " + sig, BODY, AT_TS));
        assertFalse(verify(old, BODY, AT_TS));
    }

    @Test
    void emptySecretIsNotASecret() {
        assertThrows(IllegalArgumentException.class, () -> WebhookSignature.sign("", TS, BODY));
        assertFalse(WebhookSignature.verify("", Long.toString(TS), WebhookSignature.sign(SECRET, TS, BODY), BODY,
                FIVE_MINUTES, AT_TS));
    }

    private static boolean verify(String signature, byte[] body, Instant now) {
        return WebhookSignature.verify(SECRET, Long.toString(TS), signature, body, FIVE_MINUTES, now);
    }
}
