package io.callstream.servicekit.net;

import io.callstream.servicekit.net.UrlPolicy.ForbiddenAddressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which URLs the IVR HTTP-call node and callback URLs may reach, at save time and at call time. */
class UrlPolicyTest {
    private static final UrlPolicy DENY = UrlPolicy.denyPrivate();

    // ------------------------------------------------------------ save time: addresses

    @Test
    void ipv4RangesAreRefusedWithTheirName() {
        String[][] cases = {
                {"http://127.0.0.1/", "127.0.0.1 is a loopback address"},
                {"http://127.255.255.254:8080/x", "loopback"},
                {"http://0.0.0.0/", "unspecified address (0.0.0.0/8)"},
                {"http://0.1.2.3/", "0.0.0.0/8"},
                {"http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"},
                {"http://169.254.170.2/v2/credentials", "cloud metadata"},
                {"http://169.254.1.1/", "169.254.1.1 is a link-local address (169.254.0.0/16)"},
                {"http://10.0.0.5/", "10.0.0.5 is in a private range (10.0.0.0/8)"},
                {"http://10.255.255.255/", "private range (10.0.0.0/8)"},
                {"http://172.16.0.1/", "private range (172.16.0.0/12)"},
                {"http://172.31.255.255/", "private range (172.16.0.0/12)"},
                {"http://192.168.1.10/", "private range (192.168.0.0/16)"},
                {"http://100.64.0.1/", "carrier-grade NAT range (100.64.0.0/10)"},
                {"http://100.127.255.255/", "carrier-grade NAT"},
                {"http://224.0.0.1/", "multicast address (224.0.0.0/4)"},
                {"http://239.255.255.250/", "multicast"},
                {"http://255.255.255.255/", "broadcast address"},
                {"http://240.0.0.1/", "reserved range (240.0.0.0/4)"},
        };
        assertAll(Arrays.stream(cases).map(c -> refused(DENY, c[0], c[1])));
    }

    @Test
    void neighboursOfTheForbiddenIpv4RangesArePublic() {
        assertAll(accepted(DENY,
                "http://93.184.216.34/",
                "https://8.8.8.8/dns-query",
                "http://126.255.255.255/",
                "http://128.0.0.1/",
                "http://1.0.0.0/",
                "http://9.255.255.255/",
                "http://11.0.0.0/",
                "http://169.253.255.255/",
                "http://169.255.0.0/",
                "http://172.15.255.255/",
                "http://172.32.0.0/",
                "http://192.167.255.255/",
                "http://192.169.0.0/",
                "http://100.63.255.255/",
                "http://100.128.0.0/",
                "http://223.255.255.255/"));
    }

    @Test
    void ipv6RangesInBracketsAreRefusedWithTheirName() {
        String[][] cases = {
                {"http://[::1]/", "::1 is a loopback address"},
                {"http://[::1]:8080/path", "loopback"},
                {"http://[0:0:0:0:0:0:0:1]/", "loopback"},
                {"http://[::]/", ":: is the unspecified address"},
                {"http://[fe80::1]/", "fe80::1 is a link-local address (fe80::/10)"},
                {"http://[febf:ffff::1]/", "link-local"},
                {"http://[fc00::1]/", "unique local (private) address (fc00::/7)"},
                {"http://[fd12:3456:789a::1]/", "fc00::/7"},
                {"http://[ff02::1]/", "multicast address (ff00::/8)"},
                {"http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254 is a cloud metadata address"},
                {"http://[FD00:EC2:0:0:0:0:0:254]/", "cloud metadata"},
                {"http://[fec0::1]/", "site-local"},
        };
        assertAll(Arrays.stream(cases).map(c -> refused(DENY, c[0], c[1])));
    }

    @Test
    void ipv4MappedIpv6IsJudgedAsTheIpv4Address() {
        assertAll(
                refused(DENY, "http://[::ffff:127.0.0.1]/", "IPv4-mapped", "127.0.0.1", "loopback"),
                refused(DENY, "http://[::ffff:7f00:1]/", "IPv4-mapped", "127.0.0.1", "loopback"),
                refused(DENY, "http://[::ffff:10.0.0.5]/", "private range (10.0.0.0/8)"),
                refused(DENY, "http://[::ffff:169.254.169.254]/", "cloud metadata"),
                accepted(DENY, "http://[::ffff:93.184.216.34]/"));
    }

    @Test
    void otherIpv6FormsCarryingAForbiddenIpv4AreRefused() {
        assertAll(
                refused(DENY, "http://[::127.0.0.1]/", "IPv4-compatible", "loopback"),
                refused(DENY, "http://[64:ff9b::a9fe:a9fe]/", "NAT64", "169.254.169.254"),
                refused(DENY, "http://[2002:7f00:1::]/", "6to4", "127.0.0.1"),
                accepted(DENY, "http://[64:ff9b::5db8:d822]/"));
    }

    @Test
    void publicIpv6LiteralInBracketsIsAccepted() {
        assertAll(accepted(DENY,
                "http://[2606:2800:220:1:248:1893:25c8:1946]/",
                "https://[2001:4860:4860::8888]:443/x",
                "http://[fbff::1]/",
                "http://[fe7f::1]/"));
    }

    @Test
    void brokenIpv6LiteralsAndZoneIdsAreRefused() {
        assertAll(
                refused(DENY, "http://[::1/", "not a valid IPv6 address"),
                refused(DENY, "http://[not:an:address:zz]/", "not a valid IPv6 address"),
                refused(DENY, "http://[127.0.0.1]/", "not a valid IPv6 address"),
                refused(DENY, "http://[fe80::1%25eth0]/", "zone ID"),
                refused(DENY, "http://[::1]junk/", "not a valid host"));
    }

    // ------------------------------------------------------------ save time: names

    @Test
    void loopbackAndMetadataNamesAreRefused() {
        assertAll(
                refused(DENY, "http://localhost/", "localhost is a loopback name"),
                refused(DENY, "http://LOCALHOST:8080/", "loopback name"),
                refused(DENY, "http://localhost./", "loopback name"),
                refused(DENY, "http://api.localhost/", "api.localhost is a loopback name"),
                refused(DENY, "http://Foo.Bar.LocalHost./", "loopback name"),
                refused(DENY, "http://metadata.google.internal/computeMetadata/v1/",
                        "metadata.google.internal is a cloud metadata name"),
                refused(DENY, "http://METADATA.Google.Internal./", "cloud metadata name"),
                refused(DENY, "http://metadata/", "metadata is a cloud metadata name"),
                refused(DENY, "http://Metadata./", "cloud metadata name"));
    }

    @Test
    void publicNamesAreAccepted() {
        assertAll(accepted(DENY,
                "https://example.com",
                "https://api.example.com:8443/v1/customers?phone=%2B15551234567#top",
                "HTTPS://Example.COM/",
                "http://example.com./",
                "http://mylocalhost.com/",
                "http://localhost.example.com/",
                "http://metadata.example.com/",
                "http://crm-01.eu-west.example.org/",
                "http://xn--bcher-kva.example/",
                "http://cafe.de/",
                "http://example.com:/"));
    }

    @Test
    void invalidHostNamesAreRefused() {
        assertAll(
                refused(DENY, "http://my_host/", "not a valid host name"),
                refused(DENY, "http://-bad.example.com/", "not a valid host name"),
                refused(DENY, "http://a..b/", "not a valid host name"),
                refused(DENY, "http://exa mple.com/", "not a valid host name"));
    }

    // ------------------------------------------------------------ save time: unusual IPv4 forms

    @Test
    void ipv4LiteralsInUnusualFormsAreRefused() {
        String[] hosts = {"2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1", "0x7f000001", "017700000001",
                "127.0.0.01", "127.000.000.001", "0", "0x", "1.2.3.4.5", "256.1.1.1", "10.1", "3232235777",
                "0xA9.0xFE.0xA9.0xFE", "7f.0.0.1", "%31%32%37.0.0.1", "example.123"};
        assertAll(Arrays.stream(hosts)
                .map(h -> refused(DENY, "http://" + h + "/", h + " is not a standard IPv4 address", "a.b.c.d")));
    }

    @Test
    void canonicalDottedQuadWithTrailingDotIsJudgedAsThatAddress() {
        assertAll(
                refused(DENY, "http://127.0.0.1./", "loopback"),
                refused(DENY, "http://10.0.0.5./", "private range"),
                accepted(DENY, "http://93.184.216.34./"));
    }

    // ------------------------------------------------------------ save time: scheme, userinfo, shape

    @Test
    void onlyHttpAndHttpsSchemesAreAllowed() {
        assertAll(
                refused(DENY, "file:///etc/passwd", "only http and https URLs are allowed"),
                refused(DENY, "ftp://example.com/file.txt", "only http and https URLs are allowed"),
                refused(DENY, "gopher://example.com:70/_GET", "only http and https URLs are allowed"),
                refused(DENY, "jar:http://example.com/app.jar!/x.class", "only http and https URLs are allowed"),
                refused(DENY, "javascript:alert(1)", "only http and https URLs are allowed"),
                refused(DENY, "ws://example.com/socket", "only http and https URLs are allowed"),
                refused(DENY, "ftp://${host}/x", "only http and https URLs are allowed"),
                accepted(DENY, "Http://example.com/", "hTTpS://example.com/"));
    }

    @Test
    void urlsWithoutSchemeOrHostAreRefused() {
        assertAll(
                refused(DENY, "example.com/path", "must start with http:// or https://"),
                refused(DENY, "//example.com/path", "must start with http:// or https://"),
                refused(DENY, " http://example.com/", "must start with http:// or https://"),
                refused(DENY, "http:example.com", "the URL has no host"),
                refused(DENY, "http:///etc/passwd", "the URL has no host"),
                refused(DENY, "http://", "the URL has no host"),
                refused(DENY, "https://:8443/", "the URL has no host"),
                refused(DENY, "", "the URL is empty"),
                refused(DENY, "   ", "the URL is empty"),
                refused(DENY, null, "the URL is empty"));
    }

    @Test
    void userInfoIsRefusedEvenForPublicHosts() {
        assertAll(
                refused(DENY, "http://user:pass@example.com/", "user name or password"),
                refused(DENY, "https://user@example.com/", "user name or password"),
                refused(DENY, "http://example.com@127.0.0.1/", "user name or password"),
                refused(DENY, "http://${user}:${password}@example.com/", "user name or password"),
                refused(DENY, "http://user:pass@${host}/", "user name or password"));
    }

    @Test
    void badPortsAreRefused() {
        assertAll(
                refused(DENY, "http://example.com:99999/", "99999 is not a valid port"),
                refused(DENY, "http://example.com:http/", "not a valid port"),
                refused(DENY, "http://[2001:db8::1]:x/", "not a valid port"),
                accepted(DENY, "http://example.com:65535/", "http://example.com:8080/"));
    }

    @Test
    void templatedHostsAreLeftForCallTime() {
        assertAll(accepted(DENY,
                "https://${crm.host}/api/customers",
                "https://${host}:8443/x",
                "https://api.${tenant}.example.com/",
                "https://${host:localhost}/x",
                "https://${host:127.0.0.1}:${port}/x",
                "http://[${ipv6}]/",
                "${baseUrl}/customers/${callerId}",
                "https://api.example.com/customers/${callerId}?since=${from}"));
    }

    @Test
    void templatesOutsideTheHostDoNotHideAForbiddenHost() {
        assertAll(
                refused(DENY, "https://127.0.0.1/${path}", "loopback"),
                refused(DENY, "https://localhost:${port}/x", "loopback name"),
                refused(DENY, "http://10.0.0.5/?q=${a/b}", "private range"));
    }

    @Test
    void backslashEndsTheHost() {
        // Browsers read '\' as '/', so the host is the part before it: evil.example.com, not 127.0.0.1.
        assertNull(DENY.refusal("http://evil.example.com\\@127.0.0.1/"));
        assertRefusal(DENY, "http://127.0.0.1\\@evil.example.com/", "loopback");
    }

    // ------------------------------------------------------------ allowlist

    @Test
    void allowlistedNameLetsExactlyThatNameThrough() {
        UrlPolicy policy = new UrlPolicy(List.of("crm.internal", "LocalHost"));
        assertAll(
                accepted(policy, "http://crm.internal/x", "http://CRM.Internal./x", "http://localhost:8080/"),
                refused(policy, "http://api.localhost/", "loopback name"),
                refused(policy, "http://metadata/", "cloud metadata name"),
                refused(policy, "http://127.0.0.1/", "loopback"));
    }

    @Test
    void allowlistedIpLetsExactlyThatAddressThrough() {
        UrlPolicy policy = new UrlPolicy(List.of("10.1.2.3", "::1", "[fe80::1]"));
        assertAll(
                accepted(policy, "http://10.1.2.3:8080/", "http://[::1]/", "http://[fe80::1]/",
                        "http://[::ffff:10.1.2.3]/"),
                refused(policy, "http://10.1.2.4/", "private range"),
                refused(policy, "http://127.0.0.1/", "loopback"),
                refused(policy, "http://[fe80::2]/", "link-local"),
                refused(policy, "http://localhost/", "loopback name"));
    }

    @Test
    void allowlistedIpv4BlockLetsExactlyThatBlockThrough() {
        UrlPolicy policy = new UrlPolicy(List.of("10.0.0.0/8", "192.168.1.0/24", "172.20.0.0/14"));
        assertAll(
                accepted(policy, "http://10.0.0.0/", "http://10.255.255.255/", "http://192.168.1.0/",
                        "http://192.168.1.255/", "http://172.20.0.1/", "http://172.23.255.255/",
                        "http://[::ffff:10.9.9.9]/"),
                refused(policy, "http://192.168.2.1/", "private range (192.168.0.0/16)"),
                refused(policy, "http://192.168.0.255/", "private range (192.168.0.0/16)"),
                refused(policy, "http://172.19.255.255/", "private range (172.16.0.0/12)"),
                refused(policy, "http://172.24.0.0/", "private range (172.16.0.0/12)"),
                refused(policy, "http://127.0.0.1/", "loopback"),
                refused(policy, "http://169.254.169.254/", "cloud metadata"));
    }

    @Test
    void allowlistedIpv6BlockLetsExactlyThatBlockThrough() {
        UrlPolicy policy = new UrlPolicy(List.of("fd00::/8", "fe80::/64", "::ffff:192.168.7.0/120"));
        assertAll(
                accepted(policy, "http://[fd12:3456::1]/", "http://[fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/",
                        "http://[fe80::abcd]/", "http://192.168.7.7/", "http://[::ffff:192.168.7.7]/"),
                refused(policy, "http://[fc00::1]/", "fc00::/7"),
                refused(policy, "http://[fe80:0:0:1::1]/", "link-local"),
                refused(policy, "http://[::1]/", "loopback"),
                refused(policy, "http://192.168.8.1/", "private range"));
    }

    @Test
    void allowlistEntriesMayHaveSurroundingBlanks() {
        UrlPolicy policy = new UrlPolicy(List.of(" 10.0.0.0/8 ", "\tcrm.internal\n"));
        assertAll(accepted(policy, "http://10.1.1.1/", "http://crm.internal/"));
    }

    @Test
    void invalidAllowlistEntriesAreRejectedByName() {
        String[] bad = {"", "   ", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1",
                "10.0.0.1/8", "fd00::1/8", "127.1", "0x7f.0.0.1", "2130706433", "300.1.1.1", "*.example.com",
                "exa mple.com", "http://crm.internal", "crm.internal:8080", "fe80::1%eth0", "[::1", "::g",
                "host/24", "under_score.example"};
        assertAll(Arrays.stream(bad).map(entry -> () -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new UrlPolicy(List.of(entry)), "entry '" + entry + "'");
            assertTrue(e.getMessage().contains("'" + entry + "'"),
                    "message should name the entry '" + entry + "': " + e.getMessage());
        }));
    }

    @Test
    void cidrWithHostBitsSuggestsTheNetwork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UrlPolicy(List.of("10.1.2.3/8")));
        assertTrue(e.getMessage().contains("10.0.0.0/8"), e.getMessage());
    }

    @Test
    void nullAllowlistEntryIsRejected() {
        List<String> entries = new ArrayList<>();
        entries.add("10.0.0.0/8");
        entries.add(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new UrlPolicy(entries));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
    }

    @Test
    void denyPrivateIsTheEmptyAllowlist() {
        UrlPolicy empty = new UrlPolicy(Collections.emptyList());
        for (String url : List.of("http://10.0.0.5/", "http://localhost/", "http://[::1]/", "https://example.com/")) {
            assertEquals(empty.refusal(url), DENY.refusal(url), url);
        }
    }

    // ------------------------------------------------------------ call time

    @Test
    void publicNameResolvingToLoopbackIsRefused() {
        UrlPolicy policy = withDns(Map.of("rebind.example.com", new InetAddress[]{v4(127, 0, 0, 1)}));
        ForbiddenAddressException e = assertThrows(ForbiddenAddressException.class,
                () -> policy.resolveAllowed(URI.create("https://rebind.example.com/hook")));
        assertContains(e.getMessage(), "rebind.example.com resolves to 127.0.0.1", "loopback");
    }

    @Test
    void publicNameResolvingToMetadataIsRefused() {
        UrlPolicy policy = withDns(Map.of("rebind.example.com", new InetAddress[]{v4(169, 254, 169, 254)}));
        ForbiddenAddressException e = assertThrows(ForbiddenAddressException.class,
                () -> policy.resolveAllowed(URI.create("http://rebind.example.com/latest/meta-data/")));
        assertContains(e.getMessage(), "169.254.169.254", "cloud metadata address");
    }

    @Test
    void publicNameResolvingToPublicAddressIsAccepted() throws Exception {
        InetAddress pub = v4(93, 184, 216, 34);
        UrlPolicy policy = withDns(Map.of("example.com", new InetAddress[]{pub}));
        assertEquals(List.of(pub), policy.resolveAllowed(URI.create("https://example.com/x?y=1")));
    }

    @Test
    void mixedAnswerWithOnePrivateAddressIsRefused() {
        UrlPolicy policy = withDns(Map.of("mixed.example.com",
                new InetAddress[]{v4(93, 184, 216, 34), v4(10, 0, 0, 5)}));
        ForbiddenAddressException e = assertThrows(ForbiddenAddressException.class,
                () -> policy.resolveAllowed(URI.create("https://mixed.example.com/")));
        assertContains(e.getMessage(), "10.0.0.5", "private range (10.0.0.0/8)");
    }

    @Test
    void resolvedIpv6AddressesAreCheckedToo() throws Exception {
        InetAddress pub6 = v6("2606:2800:220:1:248:1893:25c8:1946");
        UrlPolicy policy = withDns(Map.of(
                "six.example.com", new InetAddress[]{pub6},
                "loop6.example.com", new InetAddress[]{v4(93, 184, 216, 34), v6("::1")},
                "meta6.example.com", new InetAddress[]{v6("fd00:ec2::254")},
                "ula.example.com", new InetAddress[]{v6("fd12::1")}));
        assertEquals(List.of(pub6), policy.resolveAllowed(URI.create("http://six.example.com/")));
        assertAll(
                forbiddenAtCallTime(policy, "http://loop6.example.com/", "::1", "loopback"),
                forbiddenAtCallTime(policy, "http://meta6.example.com/", "fd00:ec2::254", "cloud metadata"),
                forbiddenAtCallTime(policy, "http://ula.example.com/", "fd12::1", "fc00::/7"));
    }

    @Test
    void allowlistAppliesToResolvedAddresses() throws Exception {
        InetAddress crm = v4(10, 1, 2, 3);
        InetAddress other = v4(192, 168, 5, 5);
        Map<String, InetAddress[]> dns = Map.of(
                "crm.internal", new InetAddress[]{crm, other},
                "erp.internal", new InetAddress[]{crm},
                "wiki.internal", new InetAddress[]{other});
        UrlPolicy policy = new UrlPolicy(List.of("crm.internal", "10.0.0.0/8"), fake(dns));
        assertEquals(List.of(crm, other), policy.resolveAllowed(URI.create("http://crm.internal/")),
                "an allowlisted name is trusted with whatever it resolves to");
        assertEquals(List.of(crm), policy.resolveAllowed(URI.create("http://erp.internal/")),
                "a name resolving into an allowlisted block passes");
        assertAll(forbiddenAtCallTime(policy, "http://wiki.internal/", "192.168.5.5", "private range"));
    }

    @Test
    void literalHostsAreNotResolved() throws Exception {
        UrlPolicy policy = new UrlPolicy(List.of(), host -> {
            throw new AssertionError("resolver called for " + host);
        });
        assertEquals(List.of(v4(93, 184, 216, 34)), policy.resolveAllowed(URI.create("http://93.184.216.34:8080/")));
        assertEquals(List.of(v6("2606:2800:220:1:248:1893:25c8:1946")),
                policy.resolveAllowed(URI.create("http://[2606:2800:220:1:248:1893:25c8:1946]/")));
        assertAll(
                forbiddenAtCallTime(policy, "http://127.0.0.1/", "127.0.0.1", "loopback"),
                forbiddenAtCallTime(policy, "http://[::1]:8080/", "::1", "loopback"),
                forbiddenAtCallTime(policy, "http://[::ffff:169.254.169.254]/", "cloud metadata"),
                forbiddenAtCallTime(policy, "http://localhost:8080/", "loopback name"),
                forbiddenAtCallTime(policy, "http://metadata.google.internal/", "cloud metadata name"));
    }

    @Test
    void unusualIpv4FormsAreRefusedAtCallTime() {
        UrlPolicy policy = new UrlPolicy(List.of(), host -> {
            throw new AssertionError("resolver called for " + host);
        });
        assertAll(
                forbiddenAtCallTime(policy, "http://2130706433/", "not a standard IPv4 address"),
                forbiddenAtCallTime(policy, "http://0177.0.0.1/", "not a standard IPv4 address"),
                forbiddenAtCallTime(policy, "http://127.1/", "not a standard IPv4 address"),
                forbiddenAtCallTime(policy, "http://0x7f.0.0.1/", "not a standard IPv4 address"),
                forbiddenAtCallTime(policy, "http://127.0.0.1./", "loopback"),
                forbiddenAtCallTime(policy, "http://my_host/", "not a valid host name"));
    }

    @Test
    void schemeUserInfoAndMissingHostAreRefusedAtCallTime() {
        UrlPolicy policy = withDns(Map.of());
        assertAll(
                forbiddenAtCallTime(policy, "file:///etc/passwd", "only http and https"),
                forbiddenAtCallTime(policy, "ftp://example.com/", "only http and https"),
                forbiddenAtCallTime(policy, "jar:http://example.com/a.jar!/b", "only http and https"),
                forbiddenAtCallTime(policy, "/relative/path", "must start with http"),
                forbiddenAtCallTime(policy, "https://user:pass@example.com/", "user name or password"),
                forbiddenAtCallTime(policy, "http:///path", "no host"));
    }

    @Test
    void unknownHostsSurfaceAsUnknownHostException() {
        Map<String, InetAddress[]> dns = new HashMap<>();
        dns.put("empty.example.com", new InetAddress[0]);
        UrlPolicy policy = withDns(dns);
        assertThrows(UnknownHostException.class,
                () -> policy.resolveAllowed(URI.create("http://nowhere.example.com/")));
        assertThrows(UnknownHostException.class,
                () -> policy.resolveAllowed(URI.create("http://empty.example.com/")));
    }

    @Test
    void returnedAddressesCannotBeModified() throws Exception {
        UrlPolicy policy = withDns(Map.of("example.com", new InetAddress[]{v4(93, 184, 216, 34)}));
        List<InetAddress> addresses = policy.resolveAllowed(URI.create("http://example.com/"));
        assertThrows(UnsupportedOperationException.class, () -> addresses.add(v4(10, 0, 0, 1)));
    }

    // ------------------------------------------------------------ helpers

    private static Executable refused(UrlPolicy policy, String url, String... fragments) {
        return () -> assertRefusal(policy, url, fragments);
    }

    private static void assertRefusal(UrlPolicy policy, String url, String... fragments) {
        String why = policy.refusal(url);
        assertNotNull(why, "expected a refusal for " + url);
        for (String fragment : fragments) {
            assertTrue(why.contains(fragment), url + ": expected '" + fragment + "' in: " + why);
        }
    }

    private static Executable accepted(UrlPolicy policy, String... urls) {
        return () -> assertAll(Arrays.stream(urls)
                .map(url -> () -> assertNull(policy.refusal(url), "expected " + url + " to be accepted")));
    }

    private static Executable forbiddenAtCallTime(UrlPolicy policy, String uri, String... fragments) {
        return () -> {
            ForbiddenAddressException e = assertThrows(ForbiddenAddressException.class,
                    () -> policy.resolveAllowed(URI.create(uri)), uri);
            assertContains(e.getMessage(), fragments);
        };
    }

    private static void assertContains(String message, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "expected '" + fragment + "' in: " + message);
        }
    }

    private static UrlPolicy withDns(Map<String, InetAddress[]> answers) {
        return new UrlPolicy(List.of(), fake(answers));
    }

    private static UrlPolicy.Resolver fake(Map<String, InetAddress[]> answers) {
        return host -> {
            InetAddress[] found = answers.get(host.toLowerCase(Locale.ROOT));
            if (found == null) {
                throw new UnknownHostException(host);
            }
            return found.clone();
        };
    }

    private static InetAddress v4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[]{(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv6 literal; bracketed, so InetAddress parses it and never asks DNS. */
    private static InetAddress v6(String literal) {
        try {
            return InetAddress.getByName("[" + literal + "]");
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
