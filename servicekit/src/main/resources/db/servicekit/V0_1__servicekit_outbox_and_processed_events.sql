-- servicekit tables, present in every service's database. Versions 0.x belong to servicekit; a
-- service's own migrations start at V1 (quarkus.flyway.out-of-order lets later 0.x ones in).

-- Events written in the same transaction as the state change that caused them; the relay sends
-- unsent rows in seq order and marks them sent.
CREATE TABLE outbox_message (
    id           uuid PRIMARY KEY,
    seq          bigserial NOT NULL UNIQUE,
    topic        text NOT NULL,
    message_key  text NOT NULL,
    type         text NOT NULL,
    source       text NOT NULL,
    occurred_at  timestamptz NOT NULL,
    payload      text NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text,
    sent_at      timestamptz
);
CREATE INDEX outbox_message_unsent ON outbox_message (seq) WHERE sent_at IS NULL;
CREATE INDEX outbox_message_sent_at ON outbox_message (sent_at) WHERE sent_at IS NOT NULL;

-- One row per event a consumer has applied, written in the consumer's transaction: a redelivered
-- event finds its row and is skipped.
CREATE TABLE processed_event (
    consumer      text NOT NULL,
    event_id      text NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_event_processed_at ON processed_event (processed_at);
