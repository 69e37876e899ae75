package io.callstream.servicekit.outbox;

import io.callstream.servicekit.tx.AfterCommit;
import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.EventType;
import io.callstream.contracts.Json;
import io.callstream.servicekit.config.ServicekitConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Writes events into the outbox inside the caller's transaction, so that they exist exactly when the
 * state change that caused them does. After the commit they are handed to the producer at once on the
 * committing thread, or the relay is woken to send them (see {@link OutboxRelay}).
 */
@ApplicationScoped
public class Outbox {
    private static final Object WAKE_REGISTERED = new Object();

    private final EntityManager em;
    private final TransactionSynchronizationRegistry transactions;
    private final OutboxRelay relay;
    private final ServicekitConfig config;

    Outbox(EntityManager em, TransactionSynchronizationRegistry transactions, OutboxRelay relay,
           ServicekitConfig config) {
        this.em = em;
        this.transactions = transactions;
        this.relay = relay;
        this.config = config;
    }

    /** Publishes a registered event type (see {@link EventCatalog}); its topic and type come from the catalog. */
    @Transactional(Transactional.TxType.MANDATORY)
    public UUID publish(String key, Record data) {
        EventType t = EventCatalog.of(data.getClass());
        return publish(t.topic(), key, t.type(), data);
    }

    /** Publishes {@code data} as a CloudEvent of {@code type} on {@code topic}, keyed (and subject) {@code key}. */
    @Transactional(Transactional.TxType.MANDATORY)
    public UUID publish(String topic, String key, String type, Object data) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("an event needs a key (" + type + ")");
        }
        byte[] json = Json.write(data);
        if (json.length > config.outbox().maxPayloadBytes()) {
            throw new IllegalArgumentException(type + " is " + json.length + " bytes, above "
                    + config.outbox().maxPayloadBytes());
        }
        String payload = new String(json, StandardCharsets.UTF_8);
        OutboxMessage m = new OutboxMessage();
        m.id = UUID.randomUUID();
        m.topic = topic;
        m.key = key;
        m.type = type;
        m.source = config.events().source();
        m.occurredAt = Instant.now();
        m.payload = payload;
        em.persist(m);
        if (!relay.enlist(transactions, m, json)) {
            wakeRelayAfterCommit();
        }
        return m.id;
    }

    private void wakeRelayAfterCommit() {
        AfterCommit.once(transactions, WAKE_REGISTERED, relay::wake);
    }
}
