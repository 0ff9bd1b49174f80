-- Readers choose when and how: cadence, weekday, time zone, hour, channel, exclusions, followed authors, a feed
-- token. Deliveries get the time they are due at. Existing rows keep working: every new column has a default
-- (due_at now(), so rows already queued stay due at once).

-- CreateEnum
CREATE TYPE "cadence" AS ENUM ('daily', 'weekly');

-- CreateEnum
CREATE TYPE "channel" AS ENUM ('email', 'feed', 'both');

-- AlterTable
ALTER TABLE "subscribers" ADD COLUMN     "authors" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "cadence" "cadence" NOT NULL DEFAULT 'daily',
ADD COLUMN     "channel" "channel" NOT NULL DEFAULT 'email',
ADD COLUMN     "exclude_keywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "feed_token" TEXT NOT NULL DEFAULT (replace((gen_random_uuid())::text, '-'::text, ''::text) || replace((gen_random_uuid())::text, '-'::text, ''::text)),
ADD COLUMN     "hour" INTEGER,
ADD COLUMN     "timezone" TEXT,
ADD COLUMN     "weekday" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "by_email" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "due_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE UNIQUE INDEX "subscribers_feed_token_key" ON "subscribers"("feed_token");


-- The database refuses settings no code path should write.
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_weekday_check" CHECK ("weekday" BETWEEN 1 AND 7);
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_hour_check" CHECK ("hour" IS NULL OR "hour" BETWEEN 0 AND 23);
