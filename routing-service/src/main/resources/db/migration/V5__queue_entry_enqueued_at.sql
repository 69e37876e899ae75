-- Statistics of every group at once (the metrics, GET /api/v1/queue-stats) read the calls queued since
-- a time across all groups: without this they would scan every queue_entry row ever kept.
CREATE INDEX queue_entry_enqueued_at ON queue_entry (enqueued_at);
