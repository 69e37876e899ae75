-- When an offer is given up if the gateway never answered its connect-agent command (the gateway
-- replica holding the call died): the agent is released and the caller offered the next one.
ALTER TABLE queue_entry ADD COLUMN offer_expires_at timestamptz;
CREATE INDEX queue_entry_offer_expiry ON queue_entry (offer_expires_at) WHERE state = 'OFFERED';
