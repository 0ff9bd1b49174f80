-- A topic's definition for the scored matcher (weighted terms, terms against, threshold). NULL: the catalog's
-- shipped definition for its slug, else one read from its query.
ALTER TABLE "topics" ADD COLUMN "definition" JSONB;
