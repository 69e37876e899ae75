-- Webhook deliveries, written in the same transaction as the state change they report; the
-- dispatcher POSTs due PENDING rows, signed at send time, and retries with backoff. Signing secrets
-- are never stored here: the service looks them up when each attempt is made.
CREATE TABLE webhook_delivery (
    id               uuid PRIMARY KEY,
    subscriber       text NOT NULL,
    url              text NOT NULL,
    event_type       text NOT NULL,
    body             text NOT NULL,
    status           text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         integer NOT NULL DEFAULT 0,
    -- when the next attempt is due; while a dispatcher is sending, the end of its lease
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status      integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_delivered_at ON webhook_delivery (delivered_at) WHERE status = 'DELIVERED';
