-- The durable sign-up queue: every accepted sign-up is one row here before the 202, and the confirmation or
-- "already subscribed" email it calls for is claimed, leased and retried like a delivery.
-- CreateEnum
CREATE TYPE "signup_origin" AS ENUM ('form', 'import');

-- CreateEnum
CREATE TYPE "signup_mail" AS ENUM ('confirmation', 'already_subscribed');

-- CreateEnum
CREATE TYPE "signup_request_status" AS ENUM ('pending', 'sending', 'sent', 'failed', 'skipped');

-- CreateTable
CREATE TABLE "signup_requests" (
    "id" SERIAL NOT NULL,
    "origin" "signup_origin" NOT NULL DEFAULT 'form',
    "email" TEXT NOT NULL,
    "email_key" TEXT NOT NULL,
    "topic_ids" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "keywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "subscriber_id" INTEGER,
    "decided_at" TIMESTAMP(3),
    "mail" "signup_mail",
    "confirm_token" TEXT,
    "share_day" DATE,
    "status" "signup_request_status" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "message_id" TEXT,
    "claimed_by" TEXT,
    "claimed_at" TIMESTAMP(3),
    "sent_at" TIMESTAMP(3),
    "confirmed_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signup_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "signup_requests_message_id_key" ON "signup_requests"("message_id");

-- CreateIndex
CREATE INDEX "signup_requests_confirm_token_idx" ON "signup_requests"("confirm_token");

-- CreateIndex
CREATE INDEX "signup_requests_subscriber_id_idx" ON "signup_requests"("subscriber_id");

-- CreateIndex
CREATE INDEX "signup_requests_email_key_idx" ON "signup_requests"("email_key");

-- AddForeignKey
ALTER TABLE "signup_requests" ADD CONSTRAINT "signup_requests_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscribers"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Claims walk the due rows in next_attempt_at order, as deliveries_claimable_idx does for deliveries.
CREATE INDEX "signup_requests_claimable_idx" ON "signup_requests" ("next_attempt_at") WHERE "status" IN ('pending', 'sending');
