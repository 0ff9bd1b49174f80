-- A delivery papermail chose not to send (the reader left or bounced before it was claimed): not a failure of the
-- relay, so it gets a status of its own and never counts as failed.
ALTER TYPE "delivery_status" ADD VALUE IF NOT EXISTS 'skipped';
