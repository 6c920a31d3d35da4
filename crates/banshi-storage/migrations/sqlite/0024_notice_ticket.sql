-- A one-time notice issued at the window names the visit (the ticket) it was issued for, so the
-- console and the case opened from that ticket show it.
ALTER TABLE notices ADD COLUMN ticket_id INTEGER REFERENCES tickets (id);
CREATE INDEX notices_by_ticket ON notices (ticket_id) WHERE ticket_id IS NOT NULL;
