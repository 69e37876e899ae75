package io.callstream.servicekit.outbox;

import io.callstream.servicekit.tx.AfterCommit;
import io.callstream.servicekit.tx.CommitWrites;
import io.callstream.contracts.EventCatalog;
import io.callstream.contracts.EventType;
import io.callstream.contracts.Json;
import io.callstream.servicekit.config.ServicekitConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes events into the outbox inside the caller's transaction, so that they exist exactly when the
 * state change that caused them does. After the commit they are handed to the producer at once on the
 * committing thread, or the relay is woken to send them (see {@link OutboxRelay}).
 *
 * <p>A transaction's rows are written together, in one statement, as it begins to commit, in the same
 * round trip as its other {@link CommitWrites} (on its own connection, so they commit or roll back with
 * the state change).
 * They are not Hibernate entities: every query the transaction runs before that would otherwise
 * dirty-check them, and each would be an insert of its own.
 */
@ApplicationScoped
public class Outbox {
    private static final Object WAKE_REGISTERED = new Object();
    private static final Object ROWS = new Object();
    private static final int ROWS_PER_STATEMENT = 500;
    private static final String[] COLUMN_TYPES = {"uuid", "text", "text", "text", "text", "text", "text"};
    /** One statement for any number of rows (arrays, not one parameter per value), in the order they were published. */
    private static final String INSERT = "INSERT INTO outbox_message (id, topic, message_key, type, source, occurred_at, payload)"
            + " SELECT id, topic, message_key, type, source, occurred_at::timestamptz, payload"
            + " FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY"
            + " AS r (id, topic, message_key, type, source, occurred_at, payload, n) ORDER BY n";

    private final CommitWrites writes;
    private final TransactionSynchronizationRegistry transactions;
    private final OutboxRelay relay;
    private final ServicekitConfig config;

    Outbox(CommitWrites writes, TransactionSynchronizationRegistry transactions, OutboxRelay relay,
           ServicekitConfig config) {
        this.writes = writes;
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
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(type, "type");
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
        rows().add(m);
        if (!relay.enlist(transactions, m, json)) {
            wakeRelayAfterCommit();
        }
        return m.id;
    }

    /** The current transaction's rows to write, joined to its {@link CommitWrites} at the first call. */
    private Rows rows() {
        return writes.join(ROWS, Rows::new);
    }

    /** One transaction's rows, written as it begins to commit; a row published after that is written at once. */
    private final class Rows implements CommitWrites.Write {
        private final List<OutboxMessage> pending = new ArrayList<>();

        void add(OutboxMessage m) {
            pending.add(m);
            writes.changed(this); // published from another synchronization's beforeCompletion, after the writes ran
        }

        /** The pending rows, {@value #ROWS_PER_STATEMENT} a statement (a bulk change's thousands of events in bounded pieces). */
        @Override
        public void prepare(CommitWrites.Batch batch) {
            for (int from = 0; from < pending.size(); from += ROWS_PER_STATEMENT) {
                List<OutboxMessage> rows = pending.subList(from, Math.min(pending.size(), from + ROWS_PER_STATEMENT));
                int n = rows.size();
                Object[][] columns = new Object[7][n];
                for (int i = 0; i < n; i++) {
                    OutboxMessage m = rows.get(i);
                    columns[0][i] = m.id;
                    columns[1][i] = m.topic;
                    columns[2][i] = m.key;
                    columns[3][i] = m.type;
                    columns[4][i] = m.source;
                    columns[5][i] = m.occurredAt.toString();
                    columns[6][i] = m.payload;
                }
                batch.add(INSERT, CommitWrites.arrays(COLUMN_TYPES, columns), CommitWrites.Written.ANY);
            }
            pending.clear();
        }
    }

    private void wakeRelayAfterCommit() {
        AfterCommit.once(transactions, WAKE_REGISTERED, relay::wake);
    }
}
