package io.callstream.ivr.engine;

import io.callstream.contracts.ivr.KeyPress;
import io.callstream.ivr.domain.IvrSession;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's session rows in plain JDBC, against the test PostgreSQL: written at commit, never a lost update. */
@QuarkusTest
class SessionStoreTest {
    @Inject
    SessionStore store;

    @Test
    void aNewSessionAndItsKeyPressesAreWrittenAtCommitAndReadBack() {
        String callId = "store-" + UUID.randomUUID();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        IvrSession created = session(callId, at);
        QuarkusTransaction.requiringNew().run(() -> {
            assertNull(store.ofCall(callId));
            store.created(created);
            assertSame(created, store.ofCall(callId), "the transaction sees its own new session");
            store.keyPressed(created.id, 1, "menu", "Menu", "1", at);
            created.nodeId = "say"; // changed after it was created: inserted as it is at commit
            store.keyPressed(created.id, 2, "order", "Order number", "12345", at.plusSeconds(3));
            assertEquals(List.of("1", "12345"), store.trail(created.id).stream().map(KeyPress::keys).toList(),
                    "the trail includes this transaction's presses before they are written");
        });
        IvrSession read = QuarkusTransaction.requiringNew().call(() -> store.ofCall(callId));
        assertEquals(created.id, read.id);
        assertEquals("say", read.nodeId);
        assertEquals(IvrSession.RUNNING, read.status);
        assertEquals("{\"variables\":{}}", read.state);
        assertEquals(at, read.startedAt);
        assertEquals(0, read.rowVersion);
        List<KeyPress> trail = QuarkusTransaction.requiringNew().call(() -> store.trail(created.id));
        assertEquals(List.of(new KeyPress("menu", "Menu", "1", at), new KeyPress("order", "Order number", "12345", at.plusSeconds(3))),
                trail);
    }

    /** Several sessions in one transaction are written as arrays, one row each: every column read back as it was. */
    @Test
    void twoNewSessionsInOneTransactionAndALoneKeyPressAreWrittenWithEveryColumn() {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        IvrSession first = session("store-" + UUID.randomUUID(), at);
        IvrSession second = session("store-" + UUID.randomUUID(), at.plusSeconds(1));
        second.flowVersion = 7;
        second.pendingCommand = "play:" + UUID.randomUUID();
        second.announceAt = at.plusSeconds(30);
        QuarkusTransaction.requiringNew().run(() -> {
            store.created(first);
            store.created(second);
        });
        QuarkusTransaction.requiringNew().run(() -> store.keyPressed(second.id, 1, "menu", "Menu \"main\", {1}", "#", at));
        for (IvrSession created : List.of(first, second)) {
            IvrSession read = QuarkusTransaction.requiringNew().call(() -> store.ofCall(created.callId));
            assertEquals(created.id, read.id);
            assertEquals(created.flowId, read.flowId);
            assertEquals(created.flowVersion, read.flowVersion);
            assertEquals(created.nodeId, read.nodeId);
            assertEquals(created.status, read.status);
            assertEquals(created.state, read.state);
            assertEquals(created.pendingCommand, read.pendingCommand);
            assertEquals(created.announceAt, read.announceAt);
            assertEquals(created.startedAt, read.startedAt);
            assertEquals(created.updatedAt, read.updatedAt);
        }
        assertEquals(List.of(new KeyPress("menu", "Menu \"main\", {1}", "#", at)),
                QuarkusTransaction.requiringNew().call(() -> store.trail(second.id)));
    }

    @Test
    void aSessionChangedByAnotherTransactionMeanwhileIsNotOverwritten() {
        String callId = "store-" + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> store.created(session(callId, Instant.now())));

        Throwable failure = assertThrows(RuntimeException.class, () -> QuarkusTransaction.requiringNew().run(() -> {
            IvrSession mine = store.ofCall(callId);
            // another transaction (an HTTP result, say) moves the same session on and commits first
            QuarkusTransaction.requiringNew().run(() -> {
                IvrSession theirs = store.ofCall(callId);
                theirs.nodeId = "theirs";
            });
            mine.nodeId = "mine";
        }));
        boolean lostUpdate = false;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            lostUpdate |= t instanceof OptimisticLockException;
        }
        assertTrue(lostUpdate, "the commit fails as a conflict the caller can retry: " + failure);
        IvrSession now = QuarkusTransaction.requiringNew().call(() -> store.ofCall(callId));
        assertEquals("theirs", now.nodeId);
        assertEquals(1, now.rowVersion);
    }

    @Test
    void aSessionReadButNotChangedIsNotWritten() {
        String callId = "store-" + UUID.randomUUID();
        QuarkusTransaction.requiringNew().run(() -> store.created(session(callId, Instant.now())));
        QuarkusTransaction.requiringNew().run(() -> store.ofCall(callId));
        QuarkusTransaction.requiringNew().run(() -> store.ofCall(callId).announceAt = Instant.now().plusSeconds(1800));
        IvrSession now = QuarkusTransaction.requiringNew().call(() -> store.ofCall(callId));
        assertEquals(1, now.rowVersion, "one write: the change, not the read");
        // due an hour from now (the service's own announcer, ticking meanwhile, leaves it alone until then)
        List<String> due = QuarkusTransaction.requiringNew().call(() ->
                store.dueAnnouncements(Instant.now().plusSeconds(3600), 1000).stream().map(s -> s.callId).toList());
        assertTrue(due.contains(callId), due.toString());
    }

    private static IvrSession session(String callId, Instant at) {
        IvrSession s = new IvrSession();
        s.id = UUID.randomUUID();
        s.callId = callId;
        s.flowId = UUID.randomUUID();
        s.flowVersion = 1;
        s.nodeId = "menu";
        s.status = IvrSession.RUNNING;
        s.state = "{\"variables\":{}}";
        s.startedAt = at;
        s.updatedAt = at;
        return s;
    }
}
