-- Inquiries (咨询) and first-inquiry responsibility (首问负责制): the first staff member asked owns
-- the inquiry until it is handled or handed to a named colleague; handovers are kept (append-only).
CREATE TABLE inquiries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    centre_code TEXT NOT NULL REFERENCES centres(code),
    channel     TEXT NOT NULL CHECK (channel IN ('window', 'phone', 'online')),
    subject     TEXT NOT NULL,
    asker       TEXT NOT NULL,
    owner_id    BIGINT NOT NULL REFERENCES staff(id),
    first_owner_id BIGINT NOT NULL REFERENCES staff(id),
    answer      TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    handled_at  TIMESTAMPTZ
);
CREATE INDEX inquiries_open_by_owner ON inquiries (owner_id) WHERE handled_at IS NULL;

CREATE TABLE inquiry_handovers (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inquiry_id BIGINT NOT NULL REFERENCES inquiries(id),
    from_id    BIGINT NOT NULL REFERENCES staff(id),
    to_id      BIGINT NOT NULL REFERENCES staff(id),
    reason     TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION inquiry_handovers_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'inquiry_handovers is append-only';
END $$;
CREATE TRIGGER inquiry_handovers_no_rewrite BEFORE UPDATE OR DELETE ON inquiry_handovers
FOR EACH ROW EXECUTE FUNCTION inquiry_handovers_append_only();
