-- agent-service: agents, skill groups and memberships, agent states with their history, satisfaction records.

CREATE TABLE skill_group (
    id                      text PRIMARY KEY,          -- what flows and routing name the group by, e.g. pre-sales
    name                    text NOT NULL,
    reception_limit         integer NOT NULL DEFAULT 1 CHECK (reception_limit >= 1),
    after_call_work_seconds integer CHECK (after_call_work_seconds >= 0), -- NULL: the global default
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX skill_group_name ON skill_group (lower(name));

CREATE TABLE agent (
    id           uuid PRIMARY KEY,
    staff_number text NOT NULL,
    name         text NOT NULL,
    nickname     text,
    email        text NOT NULL,
    phone        text,
    extension    text NOT NULL,
    role         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX agent_staff_number ON agent (staff_number);
CREATE UNIQUE INDEX agent_email ON agent (lower(email));
CREATE UNIQUE INDEX agent_extension ON agent (extension);
CREATE INDEX agent_name ON agent (lower(name) text_pattern_ops);
CREATE INDEX agent_phone ON agent (phone);

CREATE TABLE agent_skill (
    agent_id       uuid NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    skill_group_id text NOT NULL REFERENCES skill_group (id),
    priority       integer NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
    PRIMARY KEY (agent_id, skill_group_id)
);
CREATE INDEX agent_skill_group ON agent_skill (skill_group_id);

-- One row per agent: where it is now, and what the state machine needs to go on from there.
CREATE TABLE agent_state (
    agent_id          uuid PRIMARY KEY REFERENCES agent (id) ON DELETE CASCADE,
    state             text NOT NULL,
    reason            text,
    since             timestamptz NOT NULL,
    call_id           text,          -- the call offered / on / just ended
    skill_group_id    text,
    resume_state      text,          -- where a missed or abandoned offer returns to
    resume_reason     text,
    after_call_state  text,          -- asked for "after this call": NOT_READY or OFFLINE
    after_call_reason text,
    acw_until         timestamptz,   -- when after-call work ends
    missed_in_row     integer NOT NULL DEFAULT 0,
    forced_offline    boolean NOT NULL DEFAULT false
);
CREATE INDEX agent_state_acw_due ON agent_state (acw_until) WHERE state = 'AFTER_CALL_WORK';
CREATE INDEX agent_state_call ON agent_state (call_id) WHERE call_id IS NOT NULL;

-- Kept when the agent is deleted: reports still need it.
CREATE TABLE agent_state_history (
    id             bigserial PRIMARY KEY,
    agent_id       uuid NOT NULL,
    state          text NOT NULL,
    reason         text,
    previous_state text NOT NULL,
    cause          text NOT NULL,
    call_id        text,
    skill_group_id text,
    changed_at     timestamptz NOT NULL
);
CREATE INDEX agent_state_history_agent ON agent_state_history (agent_id, changed_at);

CREATE TABLE satisfaction_record (
    call_id        text PRIMARY KEY,
    session_id     text,
    agent_id       text,
    skill_group_id text,
    key            text,           -- NULL when the caller left the survey without a key
    label          text,
    no_input       boolean NOT NULL,
    collected_at   timestamptz NOT NULL
);
CREATE INDEX satisfaction_agent ON satisfaction_record (agent_id, collected_at);
CREATE INDEX satisfaction_group ON satisfaction_record (skill_group_id, collected_at);
CREATE INDEX satisfaction_time ON satisfaction_record (collected_at);
