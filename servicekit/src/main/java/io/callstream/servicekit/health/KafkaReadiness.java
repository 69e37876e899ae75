package io.callstream.servicekit.health;

import io.callstream.servicekit.config.ServicekitConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.callstream.servicekit.config.KafkaClientProperties;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Ready only while the broker answers, within {@code callstream.health.kafka-timeout}: a broker that
 * went away makes the service unready quickly instead of hanging the probe (Quarkus' own Kafka check
 * waits without a limit, so it is switched off in servicekit's defaults).
 */
@Readiness
@ApplicationScoped
public class KafkaReadiness implements HealthCheck {
    private final String bootstrapServers;
    private final long timeoutMs;
    private Admin admin;

    KafkaReadiness(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, ServicekitConfig config) {
        this.bootstrapServers = bootstrapServers;
        this.timeoutMs = config.health().kafkaTimeout().toMillis();
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("Kafka connection health check").withData("bootstrap", bootstrapServers);
        try {
            Collection<Node> nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
                    .nodes().get(timeoutMs + 500, TimeUnit.MILLISECONDS);
            return response.up().withData("nodes", nodes.stream().map(n -> n.host() + ":" + n.port())
                    .collect(Collectors.joining(","))).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("reason", "interrupted").build();
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return response.down().withData("reason", cause.getClass().getSimpleName() + ": " + cause.getMessage()).build();
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> props = new HashMap<>(KafkaClientProperties.fromConfig(AdminClientConfig.configNames()));
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "readiness");
            props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
            props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
            props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
            admin = Admin.create(props);
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(1));
        }
    }
}
