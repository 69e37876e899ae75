package io.callstream.servicekit.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The webhook signature: {@code v1=} and the lowercase hex HMAC-SHA256, keyed with the subscriber's
 * secret (UTF-8), of the timestamp in epoch seconds, a dot, and the body bytes as sent. Signing the
 * timestamp with the body lets a receiver refuse replays older than its tolerance.
 */
public final class WebhookSignature {
    /** The only scheme so far; a receiver ignores entries of schemes it does not know. */
    public static final String SCHEME = "v1";

    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{1,15}");
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

    private WebhookSignature() {
    }

    /** The {@code Callstream-Signature} header value for {@code body} sent at {@code timestampSeconds}. */
    public static String sign(String secret, long timestampSeconds, byte[] body) {
        return SCHEME + "=" + HexFormat.of().formatHex(hmac(secret, timestampSeconds, body));
    }

    /**
     * Whether a request is authentic and fresh: the timestamp header is within {@code tolerance} of
     * {@code now} (either way) and one of the {@code v1=} entries of the signature header (comma-separated,
     * so a sender may sign with an old and a new secret while they rotate) matches the body. Compared in
     * constant time. False, never an exception, for missing or malformed headers.
     */
    public static boolean verify(String secret, String timestampHeader, String signatureHeader, byte[] body,
                                 Duration tolerance, Instant now) {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(tolerance, "tolerance");
        Objects.requireNonNull(now, "now");
        if (secret.isEmpty() || timestampHeader == null || signatureHeader == null || body == null
                || !TIMESTAMP.matcher(timestampHeader.strip()).matches()) {
            return false;
        }
        long timestamp = Long.parseLong(timestampHeader.strip());
        if (Duration.between(Instant.ofEpochSecond(timestamp), now).abs().compareTo(tolerance) > 0) {
            return false;
        }
        byte[] expected = hmac(secret, timestamp, body);
        boolean match = false;
        for (String entry : signatureHeader.split(",")) {
            String e = entry.strip();
            if (e.startsWith(SCHEME + "=") && HEX_SHA256.matcher(e.substring(SCHEME.length() + 1)).matches()) {
                // No early exit: every entry is compared, each in constant time.
                match |= MessageDigest.isEqual(expected, HexFormat.of().parseHex(e.substring(SCHEME.length() + 1)));
            }
        }
        return match;
    }

    private static byte[] hmac(String secret, long timestampSeconds, byte[] body) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("a webhook secret must not be empty");
        }
        Objects.requireNonNull(body, "body");
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
