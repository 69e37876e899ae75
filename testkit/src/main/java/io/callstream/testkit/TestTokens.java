package io.callstream.testkit;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** Bearer tokens for tests, signed by a key pair made once per test JVM and trusted by {@link CallstreamTestResource}. */
public final class TestTokens {
    public static final String ISSUER = "https://callstream.test/issuer";
    private static final KeyPair KEYS;

    static {
        try {
            KEYS = DevTokens.generate();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A valid token for {@code subject} with one role. */
    public static String token(String role, String subject) {
        return mint(ISSUER, subject, List.of(role), Duration.ofHours(1));
    }

    public static String token(String role) {
        return token(role, "test-" + role);
    }

    /** A correctly signed token that expired an hour ago. */
    public static String expired(String role) {
        return mint(ISSUER, "test-" + role, List.of(role), Duration.ofHours(-1));
    }

    /** A token signed by a key the service does not trust. */
    public static String untrusted(String role) {
        try {
            return DevTokens.mint(DevTokens.generate().getPrivate(), ISSUER, "intruder", List.of(role),
                    Duration.ofHours(1));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded());
    }

    private static String mint(String issuer, String subject, List<String> roles, Duration ttl) {
        try {
            return DevTokens.mint(KEYS.getPrivate(), issuer, subject, roles, ttl);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestTokens() {
    }
}
