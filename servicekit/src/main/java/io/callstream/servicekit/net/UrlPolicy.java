package io.callstream.servicekit.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides which URLs the IVR HTTP-call node and callback URLs may reach: loopback, link-local,
 * cloud-metadata, private and other non-public targets are refused unless the allowlist permits them.
 *
 * <p>Two checks. {@link #refusal(String)} is syntactic and runs when a flow or task is saved; it never
 * touches DNS. {@link #resolveAllowed(URI)} runs right before each request: it resolves the host and
 * checks every address, so a public name that points at 127.0.0.1 or 169.254.169.254 (DNS rebinding)
 * is refused. The caller must then connect to one of the returned addresses, not resolve again.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class UrlPolicy {

    /** Resolves a host name to its addresses; {@link InetAddress#getAllByName} outside tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The target of a URL is not allowed; the message says why, in words a user can act on. */
    public static final class ForbiddenAddressException extends Exception {
        private static final long serialVersionUID = 1L;

        public ForbiddenAddressException(String message) {
            super(message);
        }
    }

    private static final String HTTP_ONLY = "only http and https URLs are allowed";
    private static final String NO_SCHEME = "the URL must start with http:// or https://";
    private static final String NO_HOST = "the URL has no host";
    private static final String USERINFO =
            "the URL must not contain a user name or password before the host (user:pass@host); "
                    + "send credentials in a header instead";

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private static final Set<String> LOOPBACK_NAMES =
            Set.of("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback");
    private static final Set<String> METADATA_NAMES =
            Set.of("metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal");

    /** Checked in order; the first block that contains an address gives the reason. */
    private static final List<Block> FORBIDDEN = List.of(
            // Cloud metadata endpoints first: they sit inside wider ranges but deserve their own name.
            forbidden("169.254.169.254/32", "a cloud metadata address"),
            forbidden("169.254.170.2/32", "a cloud metadata address"), // AWS ECS task metadata
            forbidden("100.100.100.200/32", "a cloud metadata address"), // Alibaba Cloud
            forbidden("fd00:ec2::254/128", "a cloud metadata address"), // AWS IMDS over IPv6
            forbidden("0.0.0.0/8", "an unspecified address (0.0.0.0/8), which reaches this host"),
            forbidden("127.0.0.0/8", "a loopback address (127.0.0.0/8)"),
            forbidden("169.254.0.0/16", "a link-local address (169.254.0.0/16)"),
            forbidden("10.0.0.0/8", "in a private range (10.0.0.0/8)"),
            forbidden("172.16.0.0/12", "in a private range (172.16.0.0/12)"),
            forbidden("192.168.0.0/16", "in a private range (192.168.0.0/16)"),
            forbidden("100.64.0.0/10", "in the carrier-grade NAT range (100.64.0.0/10)"),
            forbidden("224.0.0.0/4", "a multicast address (224.0.0.0/4)"),
            forbidden("255.255.255.255/32", "the broadcast address (255.255.255.255)"),
            forbidden("240.0.0.0/4", "in the reserved range (240.0.0.0/4)"),
            forbidden("::/128", "the unspecified address (::), which reaches this host"),
            forbidden("::1/128", "a loopback address (::1)"),
            forbidden("fe80::/10", "a link-local address (fe80::/10)"),
            forbidden("fec0::/10", "a deprecated site-local address (fec0::/10)"),
            forbidden("fc00::/7", "a unique local (private) address (fc00::/7)"),
            forbidden("ff00::/8", "a multicast address (ff00::/8)"));

    private final Set<String> allowedNames;
    private final List<Block> allowedBlocks;
    private final Resolver resolver;

    /**
     * @param allowlist host names ("crm.internal": exact, case-insensitive, a trailing dot ignored),
     *                  IP literals ("10.1.2.3", "::1", "[::1]") or CIDR blocks ("10.0.0.0/8", "fd00::/8").
     *                  Surrounding blanks are ignored.
     * @throws IllegalArgumentException naming the first entry that is none of these
     */
    public UrlPolicy(Collection<String> allowlist) {
        this(allowlist, InetAddress::getAllByName);
    }

    /** As {@link #UrlPolicy(Collection)}, resolving host names with {@code resolver} instead of DNS. */
    public UrlPolicy(Collection<String> allowlist, Resolver resolver) {
        Objects.requireNonNull(allowlist, "allowlist");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        Set<String> names = new HashSet<>();
        List<Block> blocks = new ArrayList<>();
        for (String entry : allowlist) {
            readAllowlistEntry(entry, names, blocks);
        }
        this.allowedNames = Set.copyOf(names);
        this.allowedBlocks = List.copyOf(blocks);
    }

    /** A policy with an empty allowlist: every non-public target is refused. */
    public static UrlPolicy denyPrivate() {
        return new UrlPolicy(List.of());
    }

    /**
     * Syntactic check for a URL being saved. Host names are not resolved.
     *
     * @return null when the URL is acceptable, else why not. A URL whose host (or whole beginning) is a
     * template placeholder ({@code ${...}}) cannot be judged yet and is accepted; it is checked at call time.
     */
    public String refusal(String url) {
        if (url == null || url.isBlank()) {
            return "the URL is empty";
        }
        if (url.startsWith("${")) {
            return null; // scheme and host come from the template
        }
        int colon = url.indexOf(':');
        if (colon <= 0 || !SCHEME.matcher(url.substring(0, colon)).matches()) {
            return NO_SCHEME;
        }
        if (!isHttp(url.substring(0, colon))) {
            return HTTP_ONLY;
        }
        if (!url.startsWith("//", colon + 1)) {
            return NO_HOST;
        }
        int start = colon + 3;
        String authority = url.substring(start, endOfAuthority(url, start));
        if (authority.indexOf('@') >= 0) {
            return USERINFO;
        }

        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return authority + " is not a valid IPv6 address";
            }
            host = authority.substring(0, close + 1);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && rest.charAt(0) != ':') {
                return authority + " is not a valid host";
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int portColon = indexOutsidePlaceholders(authority, ':');
            host = portColon < 0 ? authority : authority.substring(0, portColon);
            port = portColon < 0 ? null : authority.substring(portColon + 1);
        }
        if (host.contains("${")) {
            return null; // judged at call time, once the template is filled in
        }
        if (port != null && !port.isEmpty() && !port.contains("${") && !isPort(port)) {
            return port + " is not a valid port";
        }
        return hostRefusal(host);
    }

    /**
     * Call-time check: resolves the URI's host and refuses if any resolved address is forbidden and not
     * allowlisted. An IP-literal host is not resolved. A host name on the allowlist is trusted with
     * whatever it resolves to.
     *
     * @return the addresses to connect to (never empty, unmodifiable)
     * @throws ForbiddenAddressException when the scheme, user info, host or any resolved address is refused
     * @throws UnknownHostException      when the host name does not resolve
     */
    public List<InetAddress> resolveAllowed(URI uri) throws ForbiddenAddressException, UnknownHostException {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw new ForbiddenAddressException(NO_SCHEME);
        }
        if (!isHttp(scheme)) {
            throw new ForbiddenAddressException(HTTP_ONLY);
        }
        if (uri.getRawUserInfo() != null) {
            throw new ForbiddenAddressException(USERINFO);
        }
        String host = uri.getHost();
        if (host == null) {
            // java.net.URI gives no host for authorities it cannot read as host[:port] ("127.1", "my_host").
            String authority = uri.getRawAuthority();
            if (authority == null || authority.isEmpty()) {
                throw new ForbiddenAddressException(NO_HOST);
            }
            String why = refusal(scheme + "://" + authority + "/");
            throw new ForbiddenAddressException(why != null ? why : authority + " is not a valid host name");
        }

        Host parsed = Host.read(host);
        if (parsed.refusal != null) {
            throw new ForbiddenAddressException(parsed.refusal);
        }
        if (parsed.address != null) {
            String why = addressRefusal(parsed.shown, parsed.address);
            if (why != null) {
                throw new ForbiddenAddressException(why);
            }
            return List.of(InetAddress.getByAddress(parsed.address));
        }

        boolean trustedName = allowedNames.contains(parsed.name);
        if (!trustedName) {
            String why = nameRefusal(parsed.shown, parsed.name);
            if (why != null) {
                throw new ForbiddenAddressException(why);
            }
        }
        InetAddress[] found = resolver.resolve(host);
        if (found == null || found.length == 0) {
            throw new UnknownHostException(host + ": no addresses");
        }
        List<InetAddress> result = new ArrayList<>(found.length);
        for (InetAddress address : found) {
            if (address == null) {
                throw new UnknownHostException(host + ": resolver returned an empty entry");
            }
            byte[] bytes = address.getAddress();
            String reason = trustedName ? null : reason(bytes);
            if (reason != null && !allowlisted(bytes)) {
                throw new ForbiddenAddressException(
                        host + " resolves to " + format(bytes) + ", which is " + reason);
            }
            result.add(address);
        }
        return List.copyOf(result);
    }

    // ---------------------------------------------------------------- judging

    private String hostRefusal(String host) {
        Host parsed = Host.read(host);
        if (parsed.refusal != null) {
            return parsed.refusal;
        }
        if (parsed.address != null) {
            return addressRefusal(parsed.shown, parsed.address);
        }
        return allowedNames.contains(parsed.name) ? null : nameRefusal(parsed.shown, parsed.name);
    }

    private String addressRefusal(String shown, byte[] address) {
        String reason = reason(address);
        if (reason == null || allowlisted(address)) {
            return null;
        }
        return shown + " is " + reason;
    }

    private static String nameRefusal(String shown, String name) {
        if (LOOPBACK_NAMES.contains(name) || name.endsWith(".localhost")) {
            return shown + " is a loopback name";
        }
        if (METADATA_NAMES.contains(name)) {
            return shown + " is a cloud metadata name";
        }
        return null;
    }

    /** Why an address is forbidden (ignoring the allowlist), or null if it is public. */
    private static String reason(byte[] address) {
        byte[] embedded = embeddedIpv4(address);
        if (embedded != null) {
            String inner = reason(embedded);
            return inner == null ? null
                    : embeddedKind(address) + " for " + format(embedded) + ", which is " + inner;
        }
        for (Block block : FORBIDDEN) {
            if (block.contains(address)) {
                return block.label;
            }
        }
        return null;
    }

    private boolean allowlisted(byte[] address) {
        byte[] embedded = embeddedIpv4(address);
        for (Block block : allowedBlocks) {
            if (block.contains(address) || (embedded != null && block.contains(embedded))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The IPv4 address carried inside an IPv6 address that reaches it: IPv4-mapped (::ffff:0:0/96),
     * IPv4-compatible (::/96, except :: and ::1), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
     */
    private static byte[] embeddedIpv4(byte[] a) {
        if (a.length != 16) {
            return null;
        }
        if (zeros(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
            return slice(a, 12);
        }
        boolean unspecifiedOrLoopback = zeros(a, 12, 15) && (a[15] == 0 || a[15] == 1);
        if (zeros(a, 0, 12) && !unspecifiedOrLoopback) {
            return slice(a, 12);
        }
        if (a[0] == 0 && (a[1] & 0xff) == 0x64 && (a[2] & 0xff) == 0xff && (a[3] & 0xff) == 0x9b
                && zeros(a, 4, 12)) {
            return slice(a, 12);
        }
        if ((a[0] & 0xff) == 0x20 && (a[1] & 0xff) == 0x02) {
            return slice(a, 2);
        }
        return null;
    }

    private static String embeddedKind(byte[] a) {
        if ((a[0] & 0xff) == 0x20) {
            return "a 6to4 address";
        }
        if (a[1] != 0) {
            return "a NAT64 address";
        }
        return (a[10] & 0xff) == 0xff ? "an IPv4-mapped address" : "an IPv4-compatible address";
    }

    // ---------------------------------------------------------------- reading hosts

    /** A host as written in a URL: a refusal, an IP literal, or a (normalized) name. */
    private static final class Host {
        final String refusal;
        final byte[] address;
        final String name;
        final String shown;

        private Host(String refusal, byte[] address, String name, String shown) {
            this.refusal = refusal;
            this.address = address;
            this.name = name;
            this.shown = shown;
        }

        /** Reads a URI-style host: a name, a dotted quad, or a bracketed IPv6 literal. Never uses DNS. */
        static Host read(String host) {
            if (host.isEmpty()) {
                return new Host(NO_HOST, null, null, host);
            }
            if (host.startsWith("[")) {
                if (host.length() < 3 || !host.endsWith("]")) {
                    return new Host(host + " is not a valid IPv6 address", null, null, host);
                }
                String inner = host.substring(1, host.length() - 1);
                if (inner.indexOf('%') >= 0) {
                    return new Host(inner + " has an IPv6 zone ID, which is not allowed", null, null, inner);
                }
                byte[] address = parseIpv6(inner);
                return address == null
                        ? new Host(inner + " is not a valid IPv6 address", null, null, inner)
                        : new Host(null, address, null, inner);
            }
            String name = host.toLowerCase(Locale.ROOT);
            while (name.endsWith(".")) {
                name = name.substring(0, name.length() - 1);
            }
            if (name.isEmpty()) {
                return new Host(host + " is not a valid host name", null, null, host);
            }
            if (endsInNumber(name)) {
                byte[] address = parseDottedQuad(name);
                return address == null
                        ? new Host(host + " is not a standard IPv4 address; write IPv4 addresses as four "
                        + "decimal numbers a.b.c.d without leading zeros", null, null, host)
                        : new Host(null, address, null, host);
            }
            if (!isHostName(name)) {
                return new Host(host + " is not a valid host name", null, null, host);
            }
            return new Host(null, null, name, host);
        }
    }

    /**
     * Whether the last label is a number as some resolvers read it (decimal, or hex with 0x): such a host
     * is an IPv4 address to them, never a name, so only the canonical dotted quad is accepted.
     */
    private static boolean endsInNumber(String lowerName) {
        String last = lowerName.substring(lowerName.lastIndexOf('.') + 1);
        if (last.startsWith("0x")) {
            return allMatch(last.substring(2), "0123456789abcdef");
        }
        return !last.isEmpty() && allMatch(last, "0123456789");
    }

    private static boolean allMatch(String s, String allowed) {
        for (int i = 0; i < s.length(); i++) {
            if (allowed.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Four decimal numbers 0-255 without leading zeros, or null. */
    private static byte[] parseDottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || !allMatch(part, "0123456789")
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    /** An IPv6 literal (no brackets, no zone) as 16 bytes, or null. Never uses DNS. */
    private static byte[] parseIpv6(String s) {
        if (s.indexOf(':') < 0 || !IPV6_CHARS.matcher(s).matches()) {
            return null;
        }
        InetAddress address;
        try {
            // Bracketed, InetAddress only ever parses an IPv6 literal; it never turns to DNS.
            address = InetAddress.getByName("[" + s + "]");
        } catch (UnknownHostException e) {
            return null;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            // The JDK turns ::ffff:a.b.c.d into a plain IPv4 address; keep the mapped form.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            return mapped;
        }
        return bytes;
    }

    private static boolean isHostName(String lowerName) {
        if (lowerName.length() > 253) {
            return false;
        }
        for (String label : lowerName.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        try {
            // Also require that java.net.URI, which the HTTP client uses, reads it as a host.
            return lowerName.equals(new URI("http://" + lowerName + "/").getHost());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isHttp(String scheme) {
        return scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https");
    }

    private static boolean isPort(String port) {
        return port.length() <= 5 && allMatch(port, "0123456789") && Integer.parseInt(port) <= 65535;
    }

    /** End of the authority that starts at {@code start}: the first / ? # or \ outside a placeholder. */
    private static int endOfAuthority(String url, int start) {
        int depth = 0;
        for (int i = start; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '$' && i + 1 < url.length() && url.charAt(i + 1) == '{') {
                depth++;
                i++;
            } else if (c == '}' && depth > 0) {
                depth--;
            } else if (depth == 0 && (c == '/' || c == '?' || c == '#' || c == '\\')) {
                return i;
            }
        }
        return url.length();
    }

    private static int indexOutsidePlaceholders(String s, char wanted) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                depth++;
                i++;
            } else if (c == '}' && depth > 0) {
                depth--;
            } else if (depth == 0 && c == wanted) {
                return i;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- allowlist

    private static void readAllowlistEntry(String entry, Set<String> names, List<Block> blocks) {
        if (entry == null) {
            throw new IllegalArgumentException("invalid allowlist entry null");
        }
        String text = entry.strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("invalid allowlist entry '" + entry + "': it is empty");
        }
        int slash = text.indexOf('/');
        if (slash >= 0) {
            blocks.add(parseBlock(text, entry));
            return;
        }
        byte[] literal = parseLiteral(text);
        if (literal != null) {
            blocks.add(new Block(literal, literal.length * 8, text).normalized());
            return;
        }
        if (text.startsWith("[") || text.indexOf(':') >= 0) {
            throw new IllegalArgumentException("invalid allowlist entry '" + entry + "': not a valid IPv6 address");
        }
        String name = text.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (endsInNumber(name)) {
            throw new IllegalArgumentException("invalid allowlist entry '" + entry
                    + "': not a standard IPv4 address (write a.b.c.d)");
        }
        if (!isHostName(name)) {
            throw new IllegalArgumentException("invalid allowlist entry '" + entry
                    + "': expected a host name, an IP address or a CIDR block");
        }
        names.add(name);
    }

    /** A dotted quad, or an IPv6 literal with or without brackets; null otherwise. */
    private static byte[] parseLiteral(String text) {
        if (text.startsWith("[") && text.endsWith("]") && text.length() > 2) {
            return parseIpv6(text.substring(1, text.length() - 1));
        }
        if (text.indexOf(':') >= 0) {
            return parseIpv6(text);
        }
        return parseDottedQuad(text);
    }

    private static Block parseBlock(String text, String entry) {
        int slash = text.indexOf('/');
        byte[] network = parseLiteral(text.substring(0, slash));
        String prefixText = text.substring(slash + 1);
        if (network == null) {
            throw new IllegalArgumentException("invalid allowlist entry '" + entry + "': "
                    + text.substring(0, slash) + " is not an IP address");
        }
        int max = network.length * 8;
        if (prefixText.isEmpty() || prefixText.length() > 3 || !allMatch(prefixText, "0123456789")
                || Integer.parseInt(prefixText) > max) {
            throw new IllegalArgumentException("invalid allowlist entry '" + entry
                    + "': the prefix length must be a number from 0 to " + max);
        }
        Block block = new Block(network, Integer.parseInt(prefixText), text);
        if (!Block.hostBitsClear(network, block.prefix)) {
            byte[] masked = Block.mask(network, block.prefix);
            throw new IllegalArgumentException("invalid allowlist entry '" + entry
                    + "': address bits are set beyond the /" + block.prefix + " prefix; did you mean "
                    + format(masked) + "/" + block.prefix + "?");
        }
        return block.normalized();
    }

    /** An address block: the first {@code prefix} bits of {@code network}. */
    private static final class Block {
        final byte[] network;
        final int prefix;
        final String label;

        Block(byte[] network, int prefix, String label) {
            this.network = network;
            this.prefix = prefix;
            this.label = label;
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = prefix / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int bitMask = (0xff << (8 - rest)) & 0xff;
            return (address[whole] & bitMask) == (network[whole] & bitMask);
        }

        /** An IPv4-mapped IPv6 block of at least /96 becomes the IPv4 block it stands for. */
        Block normalized() {
            if (network.length == 16 && prefix >= 96 && zeros(network, 0, 10)
                    && (network[10] & 0xff) == 0xff && (network[11] & 0xff) == 0xff) {
                return new Block(slice(network, 12), prefix - 96, label);
            }
            return this;
        }

        static boolean hostBitsClear(byte[] address, int prefix) {
            return Arrays.equals(address, mask(address, prefix));
        }

        static byte[] mask(byte[] address, int prefix) {
            byte[] out = address.clone();
            for (int bit = prefix; bit < out.length * 8; bit++) {
                out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            return out;
        }
    }

    private static Block forbidden(String cidr, String label) {
        int slash = cidr.indexOf('/');
        return new Block(parseLiteral(cidr.substring(0, slash)), Integer.parseInt(cidr.substring(slash + 1)), label);
    }

    // ---------------------------------------------------------------- bytes

    private static boolean zeros(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] a, int from) {
        byte[] out = new byte[4];
        System.arraycopy(a, from, out, 0, 4);
        return out;
    }

    /** Dotted quad, or compressed lower-case IPv6 (RFC 5952 style), for messages. */
    private static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}
