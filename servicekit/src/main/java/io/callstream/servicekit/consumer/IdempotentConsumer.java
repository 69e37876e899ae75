package io.callstream.servicekit.consumer;

import io.callstream.contracts.cloudevents.CloudEventsKafka;
import io.callstream.contracts.cloudevents.MalformedEventException;
import io.callstream.servicekit.config.ServicekitConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Applies each Kafka record once: the handler runs in a transaction that also records the event id,
 * so a redelivered event is skipped and a failed one leaves nothing behind. An {@link EventHandler}'s
 * prefetch query runs in the same round trip as that record. A record that is not a
 * readable CloudEvent fails at once; one whose handler keeps failing fails after
 * {@code callstream.consumer.max-attempts}. Either way the exception reaches the Kafka connector, whose
 * dead-letter failure strategy parks the record on {@code callstream.dlq.<service>} and goes on.
 *
 * <pre>{@code
 * @Incoming("call-events") @Blocking(ordered = true)
 * void on(ConsumerRecord<String, byte[]> record) { consumer.process("sessions", record, this::apply); }
 * }</pre>
 */
@ApplicationScoped
public class IdempotentConsumer {
    private static final Logger LOG = Logger.getLogger(IdempotentConsumer.class);

    private final ProcessedEvents processed;
    private final ServicekitConfig config;
    private ScheduledExecutorService housekeeping;

    IdempotentConsumer(ProcessedEvents processed, ServicekitConfig config) {
        this.processed = processed;
        this.config = config;
    }

    public void process(String consumer, ConsumerRecord<String, byte[]> record, Consumer<IncomingEvent> handler) {
        IncomingEvent event = new IncomingEvent(CloudEventsKafka.read(record));
        RuntimeException last = null;
        long backoff = config.consumer().retryBackoff().toMillis();
        for (int attempt = 1; attempt <= config.consumer().maxAttempts(); attempt++) {
            try {
                QuarkusTransaction.requiringNew().run(() -> {
                    if (!processed.markProcessed(consumer, List.of(event.id()), prefetch(handler, List.of(event))).isEmpty()) {
                        handler.accept(event);
                    }
                });
                return;
            } catch (MalformedEventException e) {
                throw e;
            } catch (RuntimeException e) {
                last = e;
                LOG.warnf("%s: event %s (%s) failed, try %d of %d: %s", consumer, event.id(), event.type(), attempt,
                        config.consumer().maxAttempts(), e.toString());
                if (attempt < config.consumer().maxAttempts()) {
                    pause(backoff);
                    backoff *= 2;
                }
            }
        }
        throw new EventProcessingException(consumer + " gave up on event " + event.id() + " (" + event.type() + ")", last);
    }

    /**
     * Applies several events in one transaction (one commit; one processed-event row each, written by one
     * statement): true when it committed. False when anything failed — then nothing of the batch is left
     * behind, and the caller applies the events one by one with {@link #process}, which retries and parks
     * as usual.
     */
    public boolean processBatch(String consumer, List<IncomingEvent> events, Consumer<IncomingEvent> handler) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                // one statement records the batch's ids; each new one is applied once, in order
                Set<String> fresh = processed.markProcessed(consumer, events.stream().map(IncomingEvent::id).toList(),
                        prefetch(handler, events));
                for (IncomingEvent event : events) {
                    if (fresh.remove(event.id())) {
                        handler.accept(event);
                    }
                }
            });
            return true;
        } catch (RuntimeException e) {
            LOG.infof("%s: a batch of %d events failed (%s); applying them one by one", consumer, events.size(), e.toString());
            return false;
        }
    }

    /** What an {@link EventHandler} reads with the processed-event insert; a plain consumer reads nothing ahead. */
    private static EventHandler.Prefetch prefetch(Consumer<IncomingEvent> handler, List<IncomingEvent> events) {
        return handler instanceof EventHandler h ? h.prefetch(events) : null;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // a retry backoff on the consumer's own worker thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void start(@Observes StartupEvent ignored) {
        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "processed-event-retention"));
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                processed.forgetBefore(Instant.now().minus(config.consumer().processedRetention()));
            } catch (RuntimeException e) {
                LOG.warnf("forgetting old processed events failed: %s", e.toString());
            }
        }, 5, 60, TimeUnit.MINUTES);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
    }
}
