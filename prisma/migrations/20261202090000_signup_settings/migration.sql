-- A sign-up may ask for delivery settings too (cadence, weekday, time zone, hour, channel, exclusions, followed
-- authors): the fields it gave, as parsed, waiting on the request like its topics and keywords until the
-- confirmation link is pressed. Requests already queued asked for none.

-- AlterTable
ALTER TABLE "signup_requests" ADD COLUMN     "settings" JSONB NOT NULL DEFAULT '{}';
