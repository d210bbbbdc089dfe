-- The review list pages through signed reviews, latest first.
CREATE INDEX reviews_by_signed ON reviews (signed_hlc);
