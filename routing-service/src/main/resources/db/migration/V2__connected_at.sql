-- When the agent answered: wait times and the service level come from it.
ALTER TABLE queue_entry ADD COLUMN connected_at timestamptz;
CREATE INDEX queue_entry_group_time ON queue_entry (skill_group, enqueued_at);
