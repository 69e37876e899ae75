package io.callstream.servicekit.testapp;

import io.callstream.servicekit.consumer.IdempotentConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** A consumer built the way every service builds one; its effect is a row per applied event. */
@ApplicationScoped
public class WidgetEffects {
    public record EffectRequest(String note, boolean fail) {
    }

    private final IdempotentConsumer consumer;
    private final EntityManager em;

    WidgetEffects(IdempotentConsumer consumer, EntityManager em) {
        this.consumer = consumer;
        this.em = em;
    }

    @Incoming("test-in")
    @Blocking(ordered = true)
    public void on(ConsumerRecord<String, byte[]> record) {
        consumer.process("widget-effects", record, event -> {
            EffectRequest request = event.data(EffectRequest.class);
            em.createNativeQuery("INSERT INTO widget_effect (event_id, note) VALUES (?1, ?2)")
                    .setParameter(1, event.id()).setParameter(2, request.note()).executeUpdate();
            if (request.fail()) {
                throw new IllegalStateException("this effect always fails");
            }
        });
    }
}
