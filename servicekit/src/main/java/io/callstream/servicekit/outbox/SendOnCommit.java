package io.callstream.servicekit.outbox;

import io.callstream.contracts.cloudevents.EventEnvelope;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Hands a transaction's outbox events to the producer on the committing thread, right after the commit,
 * in commit order per key.
 *
 * <p>Each event joins the queue of its key's lane in the transaction's {@code beforeCompletion} — after
 * Hibernate's flush, which registered earlier, and while the transaction still holds the aggregate's
 * row lock — so a later transaction on the same aggregate, which waits for that lock, always queues
 * behind it. After the commit the committing thread marks its events committed and sends every committed
 * event at the head of its lanes; an event whose transaction has not finished committing holds back
 * only its own lane. A rolled-back transaction's events leave their lanes unsent.
 */
final class SendOnCommit {
    private static final int LANES = 64;
    private static final Object RESOURCE = new Object();

    /** One event on its way: its row's id is in the relay's in-flight set from its queueing until it is marked sent. */
    static final class Pending {
        final String topic;
        final EventEnvelope envelope;
        final int lane;
        /** 0 waiting for the commit, 1 committed, 2 rolled back. Read and written under the lane's lock. */
        private int outcome;

        Pending(String topic, EventEnvelope envelope) {
            this.topic = topic;
            this.envelope = envelope;
            this.lane = Math.floorMod(envelope.subject().hashCode(), LANES);
        }
    }

    private final List<ArrayDeque<Pending>> lanes = new ArrayList<>(LANES);
    /** Sends one committed event; called under its lane's lock, so a lane's events reach the producer in order. */
    private final BiConsumer<String, EventEnvelope> send;
    /** The relay's record of rows handed over but not yet marked sent, which its own rounds must not send. */
    private final Set<String> inFlight;

    SendOnCommit(BiConsumer<String, EventEnvelope> send, Set<String> inFlight) {
        this.send = send;
        this.inFlight = inFlight;
        for (int i = 0; i < LANES; i++) {
            lanes.add(new ArrayDeque<>());
        }
    }

    /**
     * Adds an event written in the current transaction, to be sent once that transaction commits; false if
     * the transaction is already committing (an event written in another synchronization's
     * {@code beforeCompletion}), which is then the relay's to send.
     */
    boolean enlist(TransactionSynchronizationRegistry transactions, String topic, EventEnvelope envelope) {
        Transaction t = (Transaction) transactions.getResource(RESOURCE);
        if (t == null) {
            t = new Transaction();
            transactions.putResource(RESOURCE, t);
            transactions.registerInterposedSynchronization(t);
        }
        if (t.queued) {
            return false;
        }
        t.events.add(new Pending(topic, envelope));
        return true;
    }

    private final class Transaction implements Synchronization {
        final List<Pending> events = new ArrayList<>();
        private boolean queued;

        @Override
        public void beforeCompletion() {
            for (Pending p : events) {
                inFlight.add(p.envelope.id());
                ArrayDeque<Pending> lane = lanes.get(p.lane);
                synchronized (lane) {
                    lane.addLast(p);
                }
            }
            queued = true;
        }

        @Override
        public void afterCompletion(int status) {
            if (!queued) {
                return; // rolled back before the commit began: never queued
            }
            int outcome = status == Status.STATUS_COMMITTED ? 1 : 2;
            BitSet touched = new BitSet(LANES);
            for (Pending p : events) {
                ArrayDeque<Pending> lane = lanes.get(p.lane);
                synchronized (lane) {
                    p.outcome = outcome;
                }
                if (outcome == 2) {
                    inFlight.remove(p.envelope.id());
                }
                touched.set(p.lane);
            }
            for (int i = touched.nextSetBit(0); i >= 0; i = touched.nextSetBit(i + 1)) {
                drain(lanes.get(i));
            }
        }
    }

    /** Sends the lane's committed head events, drops rolled-back ones, and stops at one still committing. */
    private void drain(ArrayDeque<Pending> lane) {
        synchronized (lane) {
            Pending head;
            while ((head = lane.peekFirst()) != null && head.outcome != 0) {
                lane.pollFirst();
                if (head.outcome == 1) {
                    send.accept(head.topic, head.envelope);
                }
            }
        }
    }
}
