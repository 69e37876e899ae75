-- The call record of every call the service saw: built from call, routing and IVR events in the same
-- transaction as the event that changed it (so a restart loses none), readable over REST, pushed to the
-- configured webhooks when the call ends.
CREATE TABLE call_record (
    call_id            varchar(64)  PRIMARY KEY,
    direction          varchar(16)  NOT NULL,
    caller_number      varchar(64),
    called_number      varchar(64),
    attempt_id         varchar(64),
    session_id         uuid,
    flow_id            uuid,
    flow_name          text,
    flow_version       integer,
    started_at         timestamptz  NOT NULL,
    answered_at        timestamptz,
    ivr_ended_at       timestamptz,
    queued_at          timestamptz,
    agent_ringing_at   timestamptz,
    agent_answered_at  timestamptz,
    ended_at           timestamptz,
    skill_group        text,
    -- [{"agentId","skillGroup","offeredAt","answeredAt","missed"}] in the order they were offered
    agents             text         NOT NULL DEFAULT '[]',
    -- [{"nodeId","label","keys","at"}]
    key_trail          text         NOT NULL DEFAULT '[]',
    queue_exit         varchar(16),
    transferred_to     varchar(64),
    ivr_outcome        varchar(16),
    end_status         varchar(32),
    hung_up_by         varchar(16),
    hangup_cause       integer,
    satisfaction_key   varchar(8),
    satisfaction_label text,
    variables          text         NOT NULL DEFAULT '{}',
    updated_at         timestamptz  NOT NULL,
    row_version        integer      NOT NULL DEFAULT 0
);
CREATE INDEX call_record_started ON call_record (started_at DESC);
CREATE INDEX call_record_caller ON call_record (caller_number, started_at DESC);
CREATE INDEX call_record_called ON call_record (called_number, started_at DESC);
CREATE INDEX call_record_group ON call_record (skill_group, started_at DESC);
CREATE INDEX call_record_status ON call_record (end_status, started_at DESC);

-- Every agent a call was offered to, for searching records by agent.
CREATE TABLE call_record_agent (
    call_id   varchar(64) NOT NULL,
    agent_id  varchar(64) NOT NULL,
    PRIMARY KEY (agent_id, call_id)
);
