-- The last request for agent-service to publish every group, agent and state again (one row, id 1):
-- the first replica to start on a new database inserts it and sends the request; later starts find it.
CREATE TABLE agent_view_request (
    id           integer PRIMARY KEY CHECK (id = 1),
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL
);
