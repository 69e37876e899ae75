-- outbound-service: automatic outbound tasks, their callees and attempts, the do-not-call list, the
-- platform's caller numbers, and the outbound flows ivr-service announces (docs/outbound.md).

-- Flows as ivr-service announces them (io.callstream.ivr.flow-changed): a task must name a published OUTBOUND flow.
CREATE TABLE known_flow (
    id             uuid PRIMARY KEY,
    name           text        NOT NULL,
    kind           text        NOT NULL,
    active_version integer,
    deleted        boolean     NOT NULL,
    changed_at     timestamptz NOT NULL
);

-- The numbers the platform owns and may show to callees, each with how many calls it may carry at once.
CREATE TABLE caller_number (
    number         text PRIMARY KEY,
    max_concurrent integer     NOT NULL CHECK (max_concurrent >= 1),
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dnc_number (
    number   text PRIMARY KEY,
    reason   text,
    added_by text        NOT NULL,
    added_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbound_task (
    id                 uuid PRIMARY KEY,
    name               text             NOT NULL,
    description        text,
    flow_id            uuid             NOT NULL,
    state              text             NOT NULL,
    state_reason       text,
    closed_early       boolean          NOT NULL DEFAULT false,
    caller_numbers     text             NOT NULL,
    next_caller        integer          NOT NULL DEFAULT 0,
    not_before         timestamptz      NOT NULL,
    not_after          timestamptz      NOT NULL,
    time_zone          text             NOT NULL,
    weekdays           text             NOT NULL,
    windows            text             NOT NULL,
    max_tries          integer          NOT NULL,
    retry_interval_s   integer          NOT NULL,
    retry_on           text             NOT NULL,
    max_ring_s         integer          NOT NULL,
    max_concurrent     integer          NOT NULL,
    max_per_second     double precision NOT NULL,
    callback_url       text,
    callback_secret    text,
    created_by         text             NOT NULL,
    idempotency_key    text,
    request_hash       text,
    callee_count       bigint           NOT NULL DEFAULT 0,
    next_dial_at       timestamptz,
    created_at         timestamptz      NOT NULL,
    updated_at         timestamptz      NOT NULL,
    ended_at           timestamptz,
    UNIQUE (created_by, idempotency_key)
);
CREATE INDEX outbound_task_live ON outbound_task (state) WHERE state IN ('INITIAL', 'RUNNING', 'ENDING');
CREATE INDEX outbound_task_created ON outbound_task (created_at DESC, id);

-- Callees are numbered 1..n within their task, in upload order.
CREATE TABLE callee (
    task_id         uuid        NOT NULL REFERENCES outbound_task (id) ON DELETE CASCADE,
    id              bigint      NOT NULL,
    number          text        NOT NULL,
    variables       text,
    uui             text,
    state           text        NOT NULL,
    tries           integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_outcome    text,
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (task_id, id)
);
-- what the dialer takes next: due callees in order
CREATE INDEX callee_due ON callee (task_id, next_attempt_at, id) WHERE state IN ('PENDING', 'PENDING_RETRY');
CREATE INDEX callee_state ON callee (task_id, state);

CREATE TABLE attempt (
    id              uuid PRIMARY KEY,
    task_id         uuid        NOT NULL REFERENCES outbound_task (id) ON DELETE CASCADE,
    callee_id       bigint      NOT NULL,
    try_number      integer     NOT NULL,
    caller_number   text,
    callee_number   text        NOT NULL,
    call_id         text UNIQUE,
    outcome         text,
    started_at      timestamptz,
    answered_at     timestamptz,
    call_ended_at   timestamptz,
    ended_at        timestamptz,
    expires_at      timestamptz,
    hangup_cause    integer,
    session_outcome text,
    session_ended   boolean     NOT NULL DEFAULT false,
    key_trail       text,
    variables       text,
    UNIQUE (task_id, callee_id, try_number)
);
-- calls in progress, per task and per caller number (pacing), and their deadlines
CREATE INDEX attempt_open_task ON attempt (task_id) WHERE ended_at IS NULL;
CREATE INDEX attempt_open_caller ON attempt (caller_number) WHERE ended_at IS NULL;
CREATE INDEX attempt_expiry ON attempt (expires_at) WHERE ended_at IS NULL;

-- a task's callback deliveries (servicekit's webhook_delivery; the subscriber is the task id)
CREATE INDEX webhook_delivery_subscriber ON webhook_delivery (subscriber, created_at DESC);
