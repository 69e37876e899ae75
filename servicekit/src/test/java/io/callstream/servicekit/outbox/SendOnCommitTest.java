package io.callstream.servicekit.outbox;

import io.callstream.contracts.cloudevents.EventEnvelope;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lanes alone, with transactions driven by hand: what reaches the producer, and in which order. */
class SendOnCommitTest {
    private final List<String> sent = new ArrayList<>();
    private final Set<String> inFlight = new HashSet<>();
    private final SendOnCommit lanes = new SendOnCommit((topic, e) -> sent.add(e.id()), inFlight);

    @Test
    void aCommittedTransactionWaitsForAnEarlierOneOfItsKeyThatIsStillCommitting() {
        Tx first = new Tx();
        Tx second = new Tx();
        enlist(first, "a1", "agent-a");
        enlist(second, "a2", "agent-a");
        first.beforeCompletion();   // queued first: it held the aggregate's row lock
        second.beforeCompletion();
        second.afterCompletion(Status.STATUS_COMMITTED);
        assertEquals(List.of(), sent, "a2 must not overtake a1, whose commit has not returned yet");
        assertEquals(Set.of("a1", "a2"), inFlight, "queued rows are in flight: the relay leaves them alone");

        first.afterCompletion(Status.STATUS_COMMITTED);
        assertEquals(List.of("a1", "a2"), sent);
    }

    @Test
    void anotherKeysLaneIsNotHeldBack() {
        Tx slow = new Tx();
        Tx other = new Tx();
        enlist(slow, "a1", "agent-a");
        String otherKey = keyInAnotherLane("agent-a");
        enlist(other, "b1", otherKey);
        slow.beforeCompletion();
        other.beforeCompletion();
        other.afterCompletion(Status.STATUS_COMMITTED);
        assertEquals(List.of("b1"), sent);
        slow.afterCompletion(Status.STATUS_COMMITTED);
        assertEquals(List.of("b1", "a1"), sent);
    }

    @Test
    void aRolledBackTransactionsEventsAreDroppedAndReleaseTheLane() {
        Tx failed = new Tx();
        Tx next = new Tx();
        enlist(failed, "a1", "agent-a");
        enlist(failed, "a2", "agent-a");
        enlist(next, "a3", "agent-a");
        failed.beforeCompletion();
        next.beforeCompletion();
        next.afterCompletion(Status.STATUS_COMMITTED);
        assertEquals(List.of(), sent);
        failed.afterCompletion(Status.STATUS_ROLLEDBACK);
        assertEquals(List.of("a3"), sent);
        assertEquals(Set.of("a3"), inFlight, "the rolled-back rows were never in flight for long");
    }

    @Test
    void aTransactionRolledBackBeforeItsCommitBeganLeavesNothingQueued() {
        Tx never = new Tx();
        enlist(never, "a1", "agent-a");
        never.afterCompletion(Status.STATUS_ROLLEDBACK); // no beforeCompletion: rollback-only, or a failed statement
        Tx next = new Tx();
        enlist(next, "a2", "agent-a");
        next.beforeCompletion();
        next.afterCompletion(Status.STATUS_COMMITTED);
        assertEquals(List.of("a2"), sent);
        assertEquals(Set.of("a2"), inFlight);
    }

    @Test
    void anEventWrittenWhileItsTransactionIsAlreadyCommittingIsLeftToTheRelay() {
        Tx tx = new Tx();
        assertTrue(enlist(tx, "a1", "agent-a"));
        tx.beforeCompletion();
        assertFalse(enlist(tx, "a2", "agent-a"), "written in a later synchronization's beforeCompletion");
        tx.afterCompletion(Status.STATUS_COMMITTED);
        assertEquals(List.of("a1"), sent);
    }

    private boolean enlist(Tx tx, String id, String key) {
        return lanes.enlist(tx, "topic", new EventEnvelope(id, "io.callstream.test.counter", "/test", Instant.now(), key,
                new byte[0]));
    }

    private static String keyInAnotherLane(String key) {
        for (int i = 0; ; i++) {
            String candidate = "agent-" + i;
            if (Math.floorMod(candidate.hashCode(), 64) != Math.floorMod(key.hashCode(), 64)) {
                return candidate;
            }
        }
    }

    /** A transaction's synchronization registry, completed by the test. */
    private static final class Tx implements TransactionSynchronizationRegistry {
        private final Map<Object, Object> resources = new HashMap<>();
        private final List<Synchronization> synchronizations = new ArrayList<>();

        void beforeCompletion() {
            synchronizations.forEach(Synchronization::beforeCompletion);
        }

        void afterCompletion(int status) {
            synchronizations.forEach(s -> s.afterCompletion(status));
        }

        @Override
        public Object getTransactionKey() {
            return this;
        }

        @Override
        public void putResource(Object key, Object value) {
            resources.put(key, value);
        }

        @Override
        public Object getResource(Object key) {
            return resources.get(key);
        }

        @Override
        public void registerInterposedSynchronization(Synchronization sync) {
            synchronizations.add(sync);
        }

        @Override
        public int getTransactionStatus() {
            return Status.STATUS_ACTIVE;
        }

        @Override
        public void setRollbackOnly() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean getRollbackOnly() {
            return false;
        }
    }
}
