package io.callstream.servicekit.config;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code kafka.*} settings (bootstrap servers, and security.protocol, sasl.*, ssl.* for a TLS or
 * authenticated listener) as client properties, so that servicekit's own clients — the outbox
 * producer and the readiness check — reach the broker the same way the messaging channels do.
 */
public final class KafkaClientProperties {

    /** The {@code kafka.*} settings that {@code knownNames} (e.g. {@code ProducerConfig.configNames()}) accepts. */
    public static Map<String, Object> fromConfig(java.util.Set<String> knownNames) {
        Config config = ConfigProvider.getConfig();
        Map<String, Object> props = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith("kafka.") && name.length() > "kafka.".length()) {
                String key = name.substring("kafka.".length());
                if (knownNames.contains(key)) {
                    config.getOptionalValue(name, String.class).ifPresent(v -> props.put(key, v));
                }
            }
        }
        return props;
    }

    private KafkaClientProperties() {
    }
}
