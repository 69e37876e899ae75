package io.callstream.gateway.health;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ready only once this replica's command consumer owns its partitions: it reads from the latest
 * offset, so a call taken before that could miss its first commands.
 */
@Readiness
@ApplicationScoped
@Identifier("call-commands-rebalance")
public class CommandConsumerReadiness implements HealthCheck, KafkaConsumerRebalanceListener {
    private final AtomicBoolean assigned = new AtomicBoolean();

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            assigned.set(true);
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Call command consumer").status(assigned.get()).build();
    }
}
