-- A sign-in (a refresh-token family) lasts at most SESSION_MAX_DAYS however often it is refreshed: every token of
-- a family carries the family's absolute end, and a rotated token never outlives it. Existing families end 90 days
-- (the default) after their first token was issued.
ALTER TABLE "refresh_tokens" ADD COLUMN "session_expires_at" TIMESTAMPTZ(3);

UPDATE "refresh_tokens" AS t
   SET "session_expires_at" = f.started + interval '90 days'
  FROM (SELECT "family_id", min("created_at") AS started FROM "refresh_tokens" GROUP BY "family_id") AS f
 WHERE f."family_id" = t."family_id";

ALTER TABLE "refresh_tokens" ALTER COLUMN "session_expires_at" SET NOT NULL;
ALTER TABLE "refresh_tokens" ADD CONSTRAINT "refresh_tokens_session_bound_check" CHECK ("expires_at" <= "session_expires_at");
