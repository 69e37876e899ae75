package io.callstream.servicekit.webhook;

import io.callstream.servicekit.tx.AfterCommit;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Queues webhook deliveries inside the caller's transaction, so that a delivery exists exactly when the
 * state change it reports does; after the commit the dispatcher is woken to send it at once. Sending,
 * signing and retrying are {@link WebhookDispatcher}'s.
 */
@ApplicationScoped
public class Webhooks {
    /** The delivery id, the same on every try: receivers drop a delivery they have already handled. */
    public static final String DELIVERY_HEADER = "Callstream-Delivery";
    /** The event type given to {@link #enqueue}. */
    public static final String EVENT_HEADER = "Callstream-Event";
    /** Epoch seconds when this try was sent; part of what is signed. */
    public static final String TIMESTAMP_HEADER = "Callstream-Timestamp";
    /** {@code v1=<hex>}, see {@link WebhookSignature}. */
    public static final String SIGNATURE_HEADER = "Callstream-Signature";

    private static final Object WAKE_REGISTERED = new Object();
    /** Visible ASCII: the event type travels as a header value. */
    private static final Pattern EVENT_TYPE = Pattern.compile("[\\x21-\\x7e]{1,200}");

    private final EntityManager em;
    private final TransactionSynchronizationRegistry transactions;
    private final WebhookDispatcher dispatcher;

    Webhooks(EntityManager em, TransactionSynchronizationRegistry transactions, WebhookDispatcher dispatcher) {
        this.em = em;
        this.transactions = transactions;
        this.dispatcher = dispatcher;
    }

    /**
     * Queues one delivery of {@code body} (JSON, UTF-8) to {@code url}, signed with {@code subscriber}'s
     * secret when it is sent. Sent after commit and retried with backoff.
     *
     * @return the delivery id, sent as {@code Callstream-Delivery} so receivers can drop duplicates
     * @throws IllegalArgumentException when the URL is refused by the policy (loopback, link-local, cloud
     *                                  metadata, private, not http(s)) or an argument is blank or malformed
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public UUID enqueue(String subscriber, String url, String eventType, byte[] body) {
        if (subscriber == null || subscriber.isBlank()) {
            throw new IllegalArgumentException("a webhook needs a subscriber");
        }
        if (eventType == null || !EVENT_TYPE.matcher(eventType).matches()) {
            throw new IllegalArgumentException("a webhook event type must be 1 to 200 visible ASCII characters: " + eventType);
        }
        checkUrl(url);
        WebhookDelivery d = new WebhookDelivery();
        d.id = UUID.randomUUID();
        d.subscriber = subscriber;
        d.url = url;
        d.eventType = eventType;
        d.body = text(body);
        d.status = WebhookDelivery.Status.PENDING;
        em.persist(d);
        wakeDispatcherAfterCommit();
        return d.id;
    }

    private void checkUrl(String url) {
        String why = dispatcher.policy().refusal(url);
        if (why != null) {
            throw new IllegalArgumentException("webhook URL refused: " + why);
        }
        try {
            // refusal() lets template placeholders through for IVR flows; a webhook URL is final.
            URI uri = new URI(url);
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("webhook URL refused: " + url + " has no host");
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("webhook URL refused: " + e.getMessage());
        }
    }

    /** The body as stored: must be UTF-8 (so it is sent back byte for byte) without NUL (PostgreSQL text). */
    private static String text(byte[] body) {
        if (body == null) {
            throw new IllegalArgumentException("a webhook needs a body");
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
            if (s.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("a webhook body must not contain NUL characters");
            }
            return s;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a webhook body must be UTF-8 JSON");
        }
    }

    private void wakeDispatcherAfterCommit() {
        AfterCommit.once(transactions, WAKE_REGISTERED, dispatcher::wake);
    }
}
