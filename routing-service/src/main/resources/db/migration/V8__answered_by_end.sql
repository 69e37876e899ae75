-- The estimated wait averages the talk time of a group's last 50 answered calls on every transfer and
-- position change: without this it read the group's whole history, sorted.
CREATE INDEX queue_entry_answered ON queue_entry (skill_group, ended_at DESC)
    WHERE connected_at IS NOT NULL AND ended_at IS NOT NULL;
