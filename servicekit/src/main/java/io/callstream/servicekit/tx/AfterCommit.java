package io.callstream.servicekit.tx;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

/** Work that must wait for the current transaction to commit (and must not happen if it rolls back), or for it to roll back. */
public final class AfterCommit {

    /** Runs {@code task} once the current transaction has committed (on the committing thread). */
    public static void run(TransactionSynchronizationRegistry transactions, Runnable task) {
        whenEnded(transactions, true, task);
    }

    /** Runs {@code task} if the current transaction does not commit (on the thread that ends it). */
    public static void onRollback(TransactionSynchronizationRegistry transactions, Runnable task) {
        whenEnded(transactions, false, task);
    }

    private static void whenEnded(TransactionSynchronizationRegistry transactions, boolean committed, Runnable task) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if ((status == Status.STATUS_COMMITTED) == committed) {
                    task.run();
                }
            }
        });
    }

    /** As {@link #run}, but once per transaction for {@code key} however often it is asked (a wake-up). */
    public static void once(TransactionSynchronizationRegistry transactions, Object key, Runnable task) {
        if (transactions.getResource(key) != null) {
            return;
        }
        transactions.putResource(key, Boolean.TRUE);
        run(transactions, task);
    }

    private AfterCommit() {
    }
}
