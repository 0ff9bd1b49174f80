-- Runs live in Postgres with a heartbeat: a run whose process died is told from a live one by its stale heartbeat,
-- and the database, not one process's memory, says whether a day is already running.
CREATE TYPE "run_status" AS ENUM ('running', 'done', 'incomplete', 'failed', 'abandoned');

ALTER TABLE "runs" ADD COLUMN "heartbeat_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Rows from before the heartbeat: their last known sign of life is their start.
UPDATE "runs" SET "heartbeat_at" = coalesce("finished_at", "started_at");

ALTER TABLE "runs" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "runs" ALTER COLUMN "status" TYPE "run_status" USING "status"::"run_status";
ALTER TABLE "runs" ALTER COLUMN "status" SET DEFAULT 'running';

-- Older code never closed the row of a run whose process died: of a day's running rows only the newest may stay
-- (it reads as abandoned, its heartbeat being stale), the others are abandoned now.
UPDATE "runs" r SET "status" = 'abandoned', "finished_at" = r."heartbeat_at"
WHERE r."status" = 'running'
  AND EXISTS (SELECT 1 FROM "runs" n WHERE n."date" = r."date" AND n."status" = 'running' AND n."id" > r."id");

-- At most one running run per day, whichever instance, scheduler or admin started it.
CREATE UNIQUE INDEX "runs_one_running_per_date" ON "runs" ("date") WHERE "status" = 'running';
