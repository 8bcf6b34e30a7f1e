-- Schema version 2: the change log is pruned (Store.PruneChangeLog).
-- store_state says through which generation, so that a process whose index
-- followed the log no further than that is told so by ChangesSince instead
-- of silently missing the changes pruned.
ALTER TABLE store_state ADD COLUMN changes_pruned_through bigint NOT NULL DEFAULT 0;
CREATE INDEX changes_at ON changes (at);
