-- A transfer to a queue with a length limit counts the group's OFFERED calls (its WAITING ones through
-- queue_entry_waiting): counted as state IN ('WAITING', 'OFFERED') they were read through
-- queue_entry_group_time, i.e. every call the group ever had that is still kept, filtered by state, and
-- queue entries are kept (docs/benchmarks.md, eighteenth session).
CREATE INDEX queue_entry_offered ON queue_entry (skill_group) WHERE state = 'OFFERED';
