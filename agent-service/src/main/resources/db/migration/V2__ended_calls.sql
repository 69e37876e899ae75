-- Calls (agent_id '') and agents' legs of calls that ended, remembered for a day: routing's offer or
-- connect of such a call can be read after the end (different topics are not ordered with each other),
-- and must not leave the agent ringing or busy for a call that is over.
CREATE TABLE ended_call (
    call_id  text NOT NULL,
    agent_id text NOT NULL,
    ended_at timestamptz NOT NULL,
    PRIMARY KEY (call_id, agent_id)
);
CREATE INDEX ended_call_time ON ended_call (ended_at);
