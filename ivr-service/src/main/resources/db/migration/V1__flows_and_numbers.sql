-- IVR flows: an editable draft per flow, immutable published versions, and which version is live.
CREATE TABLE flow (
    id             uuid PRIMARY KEY,
    name           varchar(100) NOT NULL UNIQUE,
    kind           varchar(16)  NOT NULL,
    description    text,
    draft          text         NOT NULL,
    active_version integer,
    created_at     timestamptz  NOT NULL,
    updated_at     timestamptz  NOT NULL,
    row_version    integer      NOT NULL DEFAULT 0
);

CREATE TABLE flow_version (
    flow_id      uuid        NOT NULL REFERENCES flow (id) ON DELETE CASCADE,
    version      integer     NOT NULL,
    definition   text        NOT NULL,
    published_at timestamptz NOT NULL,
    published_by varchar(200),
    PRIMARY KEY (flow_id, version)
);

-- one flow per inbound number
CREATE TABLE number_binding (
    number   varchar(32) PRIMARY KEY,
    flow_id  uuid        NOT NULL REFERENCES flow (id),
    bound_at timestamptz NOT NULL,
    bound_by varchar(200)
);
CREATE INDEX number_binding_flow ON number_binding (flow_id);
