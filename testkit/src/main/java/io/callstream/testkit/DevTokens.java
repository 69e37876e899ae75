package io.callstream.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Dev key pair and RS256 bearer tokens, with nothing but the JDK, so that {@code deploy/local/token}
 * can run this file directly ({@code java DevTokens.java ROLE [SUBJECT]}) on a machine that has only
 * a JDK. Tests use the same minting through {@link TestTokens}.
 */
public final class DevTokens {
    public static final Set<String> ROLES = Set.of("admin", "qa", "agent", "integration");
    public static final String DEV_ISSUER = "https://callstream.local/dev";

    /** {@code java DevTokens.java ROLE [SUBJECT]}; key folder from CALLSTREAM_KEYS_DIR, default .local/keys. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2 || !ROLES.contains(args[0])) {
            System.err.println("usage: token ROLE [SUBJECT]   ROLE is one of " + ROLES.stream().sorted().toList());
            System.exit(2);
        }
        String dir = System.getenv().getOrDefault("CALLSTREAM_KEYS_DIR", ".local/keys");
        KeyPair keys = loadOrCreate(Path.of(dir));
        String subject = args.length == 2 ? args[1] : "dev-" + args[0];
        String ttl = System.getenv().getOrDefault("CALLSTREAM_TOKEN_TTL_HOURS", "12");
        System.out.println(mint(keys.getPrivate(), DEV_ISSUER, subject, List.of(args[0]),
                Duration.ofHours(Long.parseLong(ttl))));
    }

    /** Reads {@code private.pem}/{@code public.pem} from {@code dir}, generating them on first use. */
    public static KeyPair loadOrCreate(Path dir) throws IOException, GeneralSecurityException {
        Path priv = dir.resolve("private.pem");
        Path pub = dir.resolve("public.pem");
        if (!Files.exists(priv) || !Files.exists(pub)) {
            Files.createDirectories(dir);
            KeyPair kp = generate();
            writePem(priv, "PRIVATE KEY", kp.getPrivate().getEncoded());
            try {
                Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            writePem(pub, "PUBLIC KEY", kp.getPublic().getEncoded());
            return kp;
        }
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        PrivateKey privateKey = rsa.generatePrivate(new PKCS8EncodedKeySpec(readPem(priv)));
        PublicKey publicKey = rsa.generatePublic(new java.security.spec.X509EncodedKeySpec(readPem(pub)));
        return new KeyPair(publicKey, privateKey);
    }

    public static KeyPair generate() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        return gen.generateKeyPair();
    }

    /** A signed JWT with {@code groups} = roles, as smallrye-jwt reads them; expired if ttl is negative. */
    public static String mint(PrivateKey key, String issuer, String subject, List<String> roles, Duration ttl)
            throws GeneralSecurityException {
        Instant now = Instant.now();
        Instant issued = ttl.isNegative() ? now.plus(ttl).minusSeconds(60) : now;
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":" + quote(issuer)
                + ",\"sub\":" + quote(subject)
                + ",\"upn\":" + quote(subject)
                + ",\"jti\":" + quote(UUID.randomUUID().toString())
                + ",\"iat\":" + issued.getEpochSecond()
                + ",\"exp\":" + now.plus(ttl).getEpochSecond()
                + ",\"groups\":[" + roles.stream().map(DevTokens::quote).collect(Collectors.joining(",")) + "]}";
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(rs256.sign());
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static void writePem(Path file, String label, byte[] der) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        Files.writeString(file, "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n");
    }

    private static byte[] readPem(Path file) throws IOException {
        String pem = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(pem);
    }

    private DevTokens() {
    }
}
