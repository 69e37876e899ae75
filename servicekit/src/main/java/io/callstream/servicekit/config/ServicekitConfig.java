package io.callstream.servicekit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings shared by every service, under {@code callstream.*}. Listed in docs/configuration.md. */
@ConfigMapping(prefix = "callstream")
public interface ServicekitConfig {

    Events events();

    Outbox outbox();

    Consumer consumer();

    Health health();

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

        /** {@code callstream.consumer.processed-retention}: how long processed event ids are remembered. */
        @WithDefault("7d")
        Duration processedRetention();
    }
}
