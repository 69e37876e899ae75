package io.callstream.ivr.config;

import io.smallrye.config.ConfigMapping;

import java.util.List;
import java.util.Optional;

/** ivr-service settings under {@code callstream.ivr.*}; listed in docs/configuration.md. */
@ConfigMapping(prefix = "callstream.ivr")
public interface IvrConfig {
    Http http();

    Unbound unbound();

    Records records();

    interface Records {
        /**
         * {@code callstream.ivr.records.webhooks."<name>".url} and {@code .secret}: where each finished
         * call's record is POSTed, signed with the subscriber's secret (servicekit webhooks).
         */
        java.util.Map<String, Webhook> webhooks();

        interface Webhook {
            String url();

            String secret();
        }
    }

    interface Unbound {
        /** {@code callstream.ivr.unbound.prompt}: what a call to a number bound to no flow hears before it is hung up. */
        @io.smallrye.config.WithDefault("Sorry, this number is not in service. Goodbye.")
        String prompt();
    }

    interface Http {
        /**
         * {@code callstream.ivr.http.allowlist}: hosts, IPs or CIDR blocks the HTTP-call node and the
         * transfer-external number callback may reach although they are loopback, link-local or private (comma-separated).
         */
        Optional<List<String>> allowlist();
    }
}
