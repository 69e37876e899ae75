package io.callstream.servicekit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings shared by every service, under {@code callstream.*}. Listed in docs/configuration.md. */
@ConfigMapping(prefix = "callstream")
public interface ServicekitConfig {

    Events events();

    Outbox outbox();

    Consumer consumer();

    Health health();

    Webhooks webhooks();

    interface Health {
        /** {@code callstream.health.kafka-timeout}: how long readiness waits for the broker before reporting down. */
        @WithDefault("3s")
        Duration kafkaTimeout();
    }

    interface Events {
        /** {@code callstream.events.source}: the CloudEvents {@code ce_source} of what this service publishes. */
        String source();
    }

    interface Outbox {
        /** {@code callstream.outbox.poll-interval}: how often the relay looks for unsent rows besides after each commit. */
        @WithDefault("1s")
        Duration pollInterval();

        /** {@code callstream.outbox.batch-size}: rows sent per relay round. */
        @WithDefault("500")
        int batchSize();

        /** {@code callstream.outbox.send-timeout}: how long one send may wait for the broker before it counts as failed. */
        @WithDefault("10s")
        Duration sendTimeout();

        /** {@code callstream.outbox.retention}: how long sent rows are kept for inspection. */
        @WithDefault("1h")
        Duration retention();

        /**
         * {@code callstream.outbox.send-on-commit}: the committing thread hands its events to the producer
         * right after the commit (ARCHITECTURE: send right after commit); the relay sends only what that
         * could not. Off: every event goes through the relay.
         */
        @WithDefault("true")
        boolean sendOnCommit();

        /**
         * {@code callstream.outbox.resend-after}: with send-on-commit, how old an unsent row must be before the
         * relay sends it — younger ones are on their way from the process that wrote them (on any replica).
         */
        @WithDefault("2s")
        Duration resendAfter();

        /** {@code callstream.outbox.max-payload-bytes}: larger events are refused when written, not when sent. */
        @WithDefault("900000")
        int maxPayloadBytes();
    }

    interface Consumer {
        /** {@code callstream.consumer.max-attempts}: tries per event before it goes to the dead-letter topic. */
        @WithDefault("3")
        int maxAttempts();

        /** {@code callstream.consumer.retry-backoff}: pause before the second try, doubled for each further one. */
        @WithDefault("200ms")
        Duration retryBackoff();

        /**
         * {@code callstream.consumer.session-timeout}: how long the broker waits for a consumer that
         * stopped heart-beating (a killed process) before giving its partitions to another — the
         * longest a crash holds up the calls of those partitions. Kafka's own default is 45 s.
         */
        @WithDefault("10s")
        Duration sessionTimeout();

        /**
         * {@code callstream.consumer.batch-size}: for servicekit's {@code EventStreams}, at most this many
         * events of one poll are applied in one transaction (one commit); a batch that fails is applied
         * again one event at a time.
         */
        @WithDefault("5")
        int batchSize();

        /** {@code callstream.consumer.processed-retention}: how long processed event ids are remembered. */
        @WithDefault("7d")
        Duration processedRetention();
    }

    interface Webhooks {
        /**
         * {@code callstream.webhooks.allowlist}: hosts, IPs or CIDR blocks webhook URLs may reach although
         * they are loopback, link-local or private (comma-separated); checked when a delivery is queued and
         * again, after DNS, before each attempt.
         */
        Optional<List<String>> allowlist();

        /** {@code callstream.webhooks.max-attempts}: tries per delivery before it is marked FAILED. */
        @WithDefault("10")
        int maxAttempts();

        /** {@code callstream.webhooks.initial-backoff}: wait after the first failed try, doubled after each further one. */
        @WithDefault("5s")
        Duration initialBackoff();

        /** {@code callstream.webhooks.max-backoff}: the longest wait between two tries (before ±20% jitter). */
        @WithDefault("30m")
        Duration maxBackoff();

        /** {@code callstream.webhooks.timeout}: how long one try may take to connect and get the response headers. */
        @WithDefault("10s")
        Duration timeout();

        /** {@code callstream.webhooks.batch-size}: deliveries in flight at once per process. */
        @WithDefault("50")
        int batchSize();

        /** {@code callstream.webhooks.poll-interval}: how often the dispatcher looks for due deliveries besides after each commit. */
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * {@code callstream.webhooks.lease}: how long a claimed delivery is hidden from other dispatchers while it
         * is sent; a process that dies mid-send leaves it to be retried after this. Must exceed twice the timeout.
         */
        @WithDefault("1m")
        Duration lease();

        /** {@code callstream.webhooks.retention}: how long DELIVERED rows are kept for inspection. */
        @WithDefault("7d")
        Duration retention();
    }
}
