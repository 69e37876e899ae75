package io.callstream.outbound.callback;

import io.callstream.contracts.Json;
import io.callstream.outbound.domain.TaskRow;
import io.callstream.servicekit.webhook.WebhookSecrets;
import io.callstream.servicekit.webhook.Webhooks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A task's results pushed to its callback URL through servicekit's webhooks (signed with the task's
 * secret, retried with backoff, logged): one delivery per finished attempt and one when the task ends.
 * The subscriber of each delivery is the task id.
 */
@ApplicationScoped
public class TaskCallbacks implements WebhookSecrets {
    public static final String ATTEMPT_FINISHED = "io.callstream.outbound.attempt-finished";
    public static final String TASK_ENDED = "io.callstream.outbound.task-ended";

    private final Webhooks webhooks;
    private final EntityManager em;

    TaskCallbacks(Webhooks webhooks, EntityManager em) {
        this.webhooks = webhooks;
        this.em = em;
    }

    /** Queues {@code body} for the task's callback URL, if it has one, in the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void send(TaskRow task, String eventType, Object body) {
        if (task.callbackUrl() != null) {
            webhooks.enqueue(task.id().toString(), task.callbackUrl(), eventType, Json.write(body));
        }
    }

    @Override
    public Optional<String> secret(String subscriber) {
        UUID id;
        try {
            id = UUID.fromString(subscriber);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        List<String> rows = em.createNativeQuery("SELECT callback_secret FROM outbound_task WHERE id = ?1")
                .setParameter(1, id).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
    }
}
