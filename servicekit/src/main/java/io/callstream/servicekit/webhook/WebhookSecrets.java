package io.callstream.servicekit.webhook;

import java.util.Optional;

/**
 * Provided by a service as a CDI bean when it sends webhooks: the signing secret of a subscriber.
 *
 * <p>Asked by the dispatcher right before each attempt, inside a short transaction of its own (so it may
 * read the database), never stored with the delivery. Empty (or blank) means the subscriber has no
 * secret: the delivery fails at once and is never sent unsigned. An exception means "not now": the
 * attempt counts as failed and is retried with backoff.
 */
public interface WebhookSecrets {
    Optional<String> secret(String subscriber);
}
