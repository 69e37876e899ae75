-- routing-service: its view of agents and skill groups (from callstream.agent.events), and the queues.

CREATE TABLE skill_group_view (
    id              text PRIMARY KEY,
    reception_limit integer NOT NULL DEFAULT 1
);

CREATE TABLE agent_view (
    agent_id      text PRIMARY KEY,
    endpoint      text,
    state         text NOT NULL DEFAULT 'OFFLINE',   -- as agent-service last said
    ready_since   timestamptz,                       -- when it last became READY: longest idle first
    active_calls  integer NOT NULL DEFAULT 0,        -- calls connected through routing and not yet ended
    reserved_call text                               -- the call offered to it now: never two at once
);

CREATE TABLE agent_skill_view (
    agent_id       text NOT NULL REFERENCES agent_view (agent_id) ON DELETE CASCADE,
    skill_group_id text NOT NULL,
    priority       integer NOT NULL,
    PRIMARY KEY (agent_id, skill_group_id)
);
CREATE INDEX agent_skill_view_group ON agent_skill_view (skill_group_id, priority);

-- One row per call transferred to a skill group; it stays after the call left the queue.
CREATE TABLE queue_entry (
    call_id          text PRIMARY KEY,
    seq              bigserial NOT NULL,             -- arrival order
    skill_group      text NOT NULL,
    priority         integer NOT NULL,               -- higher first, then arrival
    state            text NOT NULL,                  -- WAITING, OFFERED, CONNECTED, ENDED
    enqueued_at      timestamptz NOT NULL,
    timeout_at       timestamptz NOT NULL,
    caller_number    text,
    called_number    text,
    variables        text NOT NULL,                  -- JSON: the screen pop
    key_trail        text NOT NULL,                  -- JSON
    position         integer,                        -- last position published
    offered_agent    text,
    offer_command_id text,
    missed_agents    text[] NOT NULL DEFAULT '{}',   -- agents who did not take this call: not offered it again
    connected_agent  text,
    exit_reason      text,                           -- TIMEOUT, QUEUE_FULL, NO_AGENT, ABANDONED when it left without an agent
    ended_at         timestamptz
);
CREATE INDEX queue_entry_waiting ON queue_entry (skill_group, priority DESC, seq) WHERE state = 'WAITING';
CREATE INDEX queue_entry_timeout ON queue_entry (timeout_at) WHERE state = 'WAITING';
CREATE INDEX queue_entry_agent ON queue_entry (connected_agent) WHERE state = 'CONNECTED';
