-- SEND_RATE and SEND_DOMAIN_RATES are budgets shared by every sender worker of every instance: token buckets kept
-- here, so that N workers on M machines together never send faster than the operator allows.
CREATE TABLE "send_budgets" (
    "name" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT "send_budgets_pkey" PRIMARY KEY ("name")
);
