-- One IVR session per call: where the call is in its flow version, and everything it has collected.
-- Written at every step (with the commands and events of that step, through the outbox), so a restarted
-- service continues each call at the right node.
CREATE TABLE ivr_session (
    id              uuid PRIMARY KEY,
    call_id         varchar(64)  NOT NULL UNIQUE,
    flow_id         uuid         NOT NULL,
    flow_version    integer      NOT NULL,
    node_id         varchar(64),
    status          varchar(16)  NOT NULL,
    state           text         NOT NULL,
    pending_command varchar(64),
    started_at      timestamptz  NOT NULL,
    updated_at      timestamptz  NOT NULL,
    row_version     integer      NOT NULL DEFAULT 0
);
CREATE INDEX ivr_session_running_flow ON ivr_session (flow_id) WHERE status = 'RUNNING';
