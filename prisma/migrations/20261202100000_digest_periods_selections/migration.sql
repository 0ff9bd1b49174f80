-- A digest is an issue for a period, and the selection of a reader is stored apart from the email that carries it.
-- (No semicolons or apostrophes in these comments: the migration runner splits the script on them.)
--
-- digests: the kind (day or week) and the period it covers, period_start to period_end (inclusive). The column
-- date keeps its meaning: the day the issue was prepared for, which is the last day of the period. A day issue
-- covers its date. A week issue covers the 7 days that end on its date (for a Friday reader, Saturday to Friday).
-- Readers choose their weekday, so a fixed ISO week would drop days for anyone but Sunday readers. One issue per
-- kind and period start, so a date has at most one day issue and one week issue.
--
-- selections: what one issue picked for one reader (papers in order, and why), one per (issue, reader). Feed-only
-- readers have selections and no delivery. A reader whose email failed keeps theirs. by_email says whether the
-- reader took email when it was made.
--
-- deliveries: one email of a selection. selection_id replaces paper_ids and matches. A resend is another delivery
-- of the same selection (nothing is copied). digest_id and subscriber_id stay (the claim, the counts and the
-- one-original-per-reader index use them) and must agree with those of the selection: a composite foreign key.
--
-- Every existing row is kept. Each existing day becomes a day issue. Every (digest, reader) with deliveries gets a
-- selection made from the paper_ids and matches of its original delivery (of its first resend if the original is
-- gone), and each of those deliveries points at it. Weekly deliveries made before this migration stay on the
-- digest of their day, with the papers of the week they carry. Feed-only rows stay the skipped deliveries they
-- were, and their selection has by_email false.

-- CreateEnum
CREATE TYPE "digest_kind" AS ENUM ('day', 'week');

-- digests: periods
ALTER TABLE "digests" ADD COLUMN "kind" "digest_kind" NOT NULL DEFAULT 'day',
ADD COLUMN "period_start" DATE,
ADD COLUMN "period_end" DATE;
UPDATE "digests" SET "period_start" = "date", "period_end" = "date";
ALTER TABLE "digests" ALTER COLUMN "period_start" SET NOT NULL, ALTER COLUMN "period_end" SET NOT NULL;
DROP INDEX "digests_date_key";
CREATE UNIQUE INDEX "digests_kind_period_start_key" ON "digests"("kind", "period_start");
CREATE INDEX "digests_date_idx" ON "digests"("date");
ALTER TABLE "digests" ADD CONSTRAINT "digests_period_check" CHECK (
  "period_end" = "date" AND "period_start" <= "period_end" AND ("kind" <> 'day' OR "period_start" = "period_end"));

-- CreateTable
CREATE TABLE "selections" (
    "id" SERIAL NOT NULL,
    "digest_id" INTEGER NOT NULL,
    "subscriber_id" INTEGER NOT NULL,
    "paper_ids" TEXT[],
    "matches" JSONB NOT NULL DEFAULT '{}',
    "by_email" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "selections_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "selections_digest_id_subscriber_id_key" ON "selections"("digest_id", "subscriber_id");
CREATE UNIQUE INDEX "selections_id_digest_id_subscriber_id_key" ON "selections"("id", "digest_id", "subscriber_id");
CREATE INDEX "selections_subscriber_id_created_at_idx" ON "selections"("subscriber_id", "created_at");
ALTER TABLE "selections" ADD CONSTRAINT "selections_digest_id_fkey" FOREIGN KEY ("digest_id") REFERENCES "digests"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "selections" ADD CONSTRAINT "selections_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscribers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The selections of existing deliveries: the papers and why of the original, dated when the original was made.
INSERT INTO "selections" ("digest_id", "subscriber_id", "paper_ids", "matches", "by_email", "created_at")
SELECT DISTINCT ON ("digest_id", "subscriber_id") "digest_id", "subscriber_id", "paper_ids", "matches", "by_email",
       "created_at"
FROM "deliveries"
ORDER BY "digest_id", "subscriber_id", ("resend_of_id" IS NULL) DESC, "id";

-- deliveries: a reference to their selection instead of a copy of it
ALTER TABLE "deliveries" ADD COLUMN "selection_id" INTEGER;
UPDATE "deliveries" d SET "selection_id" = s."id"
FROM "selections" s WHERE s."digest_id" = d."digest_id" AND s."subscriber_id" = d."subscriber_id";
ALTER TABLE "deliveries" ALTER COLUMN "selection_id" SET NOT NULL;
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_selection_id_digest_id_subscriber_id_fkey"
  FOREIGN KEY ("selection_id", "digest_id", "subscriber_id") REFERENCES "selections"("id", "digest_id", "subscriber_id")
  ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "deliveries_selection_id_idx" ON "deliveries"("selection_id");
ALTER TABLE "deliveries" DROP COLUMN "paper_ids", DROP COLUMN "matches", DROP COLUMN "by_email";
