-- CreateEnum
CREATE TYPE "feedback_vote" AS ENUM ('more', 'less');

-- CreateTable
CREATE TABLE "feedback" (
    "id" SERIAL NOT NULL,
    "subscriber_id" INTEGER NOT NULL,
    "paper_id" TEXT NOT NULL,
    "delivery_id" INTEGER NOT NULL,
    "vote" "feedback_vote" NOT NULL,
    "interest_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "feedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "feedback_delivery_id_idx" ON "feedback"("delivery_id");

-- CreateIndex
CREATE UNIQUE INDEX "feedback_subscriber_id_paper_id_key" ON "feedback"("subscriber_id", "paper_id");

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscribers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_paper_id_fkey" FOREIGN KEY ("paper_id") REFERENCES "papers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

