-- A tiny domain for servicekit's own tests: widgets created over REST, effects applied from Kafka.
CREATE TABLE widget (
    id          uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    color       text NOT NULL,
    priority    integer NOT NULL
);
CREATE TABLE widget_effect (
    event_id    text NOT NULL,
    note        text NOT NULL
);
