-- Calls that ended before routing read their transfer request (the gateway's call events and the IVR's
-- transfer requests are different topics, not ordered with each other — a consumer that took over a
-- killed replica's partitions reads the transfer late): such a transfer leaves at once as ABANDONED
-- instead of queueing a caller who is gone. Kept a day.
CREATE TABLE ended_call (
    call_id  text PRIMARY KEY,
    ended_at timestamptz NOT NULL
);
CREATE INDEX ended_call_time ON ended_call (ended_at);
