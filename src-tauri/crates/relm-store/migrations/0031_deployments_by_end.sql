-- The deployments of a period across every environment (the digest, `relm deployments --from
-- --to`) were read by scanning every deployment ever recorded, then sorted. This index holds
-- them in the lists' order (latest end first, then stamp and event), so such a read visits the
-- period's rows alone.
CREATE INDEX deployments_by_end ON deployments (ended_ms, at_hlc, event_id);
