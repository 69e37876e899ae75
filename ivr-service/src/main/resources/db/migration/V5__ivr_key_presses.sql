-- The key trail leaves the session's state JSON for rows of its own: the state was read and written
-- whole at every step, and a long session's trail made every step slower. Existing trails move over.
CREATE TABLE ivr_key_press (
    session_id  uuid         NOT NULL,
    seq         integer      NOT NULL,
    node_id     varchar(64)  NOT NULL,
    label       text,
    keys        text         NOT NULL,
    pressed_at  timestamptz  NOT NULL,
    PRIMARY KEY (session_id, seq)
);

INSERT INTO ivr_key_press (session_id, seq, node_id, label, keys, pressed_at)
SELECT s.id, t.n::integer, t.e->>'nodeId', t.e->>'label', t.e->>'keys', (t.e->>'at')::timestamptz
FROM ivr_session s, jsonb_array_elements(s.state::jsonb->'trail') WITH ORDINALITY AS t(e, n)
WHERE jsonb_typeof(s.state::jsonb->'trail') = 'array';

UPDATE ivr_session SET state = jsonb_set(state::jsonb - 'trail', '{trailLength}',
        to_jsonb(COALESCE(jsonb_array_length(state::jsonb->'trail'), 0)))::text
WHERE state::jsonb ? 'trail';
