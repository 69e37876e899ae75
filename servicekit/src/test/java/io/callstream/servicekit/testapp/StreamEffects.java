package io.callstream.servicekit.testapp;

import io.callstream.servicekit.ServicekitTestResources;
import io.callstream.servicekit.consumer.EventStreams;
import io.callstream.servicekit.testapp.WidgetEffects.EffectRequest;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;

import java.util.List;

/** The same effect as {@link WidgetEffects}, read through servicekit's plain EventStreams. */
@ApplicationScoped
public class StreamEffects {
    private final EventStreams streams;
    private final EntityManager em;

    StreamEffects(EventStreams streams, EntityManager em) {
        this.streams = streams;
        this.em = em;
    }

    void start(@Observes StartupEvent ignored) {
        streams.start("stream-effects", "servicekit-test-stream", List.of(ServicekitTestResources.STREAM_TOPIC), 2,
                type -> !type.equals("io.callstream.test.not-for-this-stream"), event -> {
            EffectRequest request = event.data(EffectRequest.class);
            em.createNativeQuery("INSERT INTO widget_effect (event_id, note) VALUES (?1, ?2)")
                    .setParameter(1, event.id()).setParameter(2, request.note()).executeUpdate();
            if (request.fail()) {
                throw new IllegalStateException("this effect always fails");
            }
        });
    }
}
