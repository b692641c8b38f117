-- Item writes (OGC API – Features Part 4) change single features of the current
-- generation in place; rev is the collection version of a feature's last change
-- (0: as imported), so each feature has its own ETag for optimistic concurrency.
ALTER TABLE features ADD COLUMN rev bigint NOT NULL DEFAULT 0;
