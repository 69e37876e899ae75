-- The timeout scan's index names a clause that only the timeout scan carries (ended_at IS NULL: true of
-- every WAITING row), so it can no longer stand in for queue_entry_waiting in a statement about one group.
-- With statistics taken before a burst of callers (no WAITING rows then) both partial indexes looked like
-- one row, the planner took the smaller one, and every statement about one group's callers (the transfer,
-- the assignment round, the position pass and its check) read every waiting caller of every group
-- (docs/benchmarks.md, eighteenth session).
DROP INDEX queue_entry_timeout;
CREATE INDEX queue_entry_timeout ON queue_entry (timeout_at) WHERE state = 'WAITING' AND ended_at IS NULL;
