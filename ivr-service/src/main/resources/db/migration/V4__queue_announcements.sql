-- A caller waiting in a skill group's queue hears the transfer node's announcement (position, wait)
-- every announceIntervalSeconds: announce_at is when the next one is due (null: none).
ALTER TABLE ivr_session ADD COLUMN announce_at timestamptz;
CREATE INDEX ivr_session_announce_at ON ivr_session (announce_at) WHERE announce_at IS NOT NULL;
