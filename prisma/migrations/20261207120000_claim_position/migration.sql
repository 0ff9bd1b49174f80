-- Claims resume from where their claimer stopped, (next_attempt_at, id), instead of walking from the start over the
-- dead entries of every delivery claimed or sent since the last vacuum (src/digest/delivery-claims.ts).
DROP INDEX "deliveries_claimable_idx";
CREATE INDEX "deliveries_claimable_idx" ON "deliveries" ("next_attempt_at", "id") WHERE "status" IN ('pending', 'sending');
