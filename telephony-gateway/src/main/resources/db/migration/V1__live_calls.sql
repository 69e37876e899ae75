-- Which replica holds which call. A replica that stops heart-beating is gone: the calls it held died
-- with its sockets, and another replica publishes their CallEnded (CallRegistry).
CREATE TABLE gateway_replica (
    replica_id  text PRIMARY KEY,
    last_seen   timestamptz NOT NULL
);

CREATE TABLE live_call (
    call_id     text PRIMARY KEY,
    replica_id  text NOT NULL,
    direction   text NOT NULL,
    channel     text NOT NULL,
    unique_id   text NOT NULL,
    started_at  timestamptz NOT NULL
);
CREATE INDEX live_call_replica ON live_call (replica_id);
