package io.callstream.servicekit.webhook;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One webhook POST to make (queued by {@link Webhooks}, sent and retried by {@link WebhookDispatcher}). */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDelivery extends PanacheEntityBase {
    public enum Status { PENDING, DELIVERED, FAILED }

    @Id
    public UUID id;

    public String subscriber;

    public String url;

    @Column(name = "event_type")
    public String eventType;

    /** The JSON body, sent byte for byte as queued. */
    public String body;

    @Enumerated(EnumType.STRING)
    public Status status;

    public int attempts;

    /** Set by the database (its clock is the one the dispatcher compares with), then by the dispatcher. */
    @Column(name = "next_attempt_at", insertable = false, updatable = false)
    public Instant nextAttemptAt;

    /** The HTTP status of the last try; null when it got no response. */
    @Column(name = "last_status")
    public Integer lastStatus;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "delivered_at")
    public Instant deliveredAt;
}
