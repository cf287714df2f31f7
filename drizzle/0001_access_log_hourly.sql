CREATE TABLE "access_log_hourly" (
	"hour" timestamp with time zone NOT NULL,
	"application_name" text NOT NULL,
	"allowed" bigint DEFAULT 0 NOT NULL,
	"blocked" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "access_log_hourly_hour_application_name_pk" PRIMARY KEY("hour","application_name")
);
--> statement-breakpoint
-- Hand-written below: the triggers that keep access_log_hourly in step with access_log, and the backfill.
-- No inserts into access_log may slip between the backfill and the trigger (another instance's gateway).
LOCK TABLE "access_log" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE FUNCTION "access_log_hourly_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- Rows are upserted in key order so that concurrent batches lock them in the same order (no deadlocks).
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		INSERT INTO "access_log_hourly" AS h ("hour", "application_name", "allowed", "blocked")
		SELECT date_trunc('hour', "at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce("application_name", '(no application)'),
			-count(*) FILTER (WHERE "decision" = 'allow'), -count(*) FILTER (WHERE "decision" = 'deny')
		FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT ("hour", "application_name") DO UPDATE SET "allowed" = h."allowed" + excluded."allowed", "blocked" = h."blocked" + excluded."blocked";
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO "access_log_hourly" AS h ("hour", "application_name", "allowed", "blocked")
		SELECT date_trunc('hour', "at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce("application_name", '(no application)'),
			count(*) FILTER (WHERE "decision" = 'allow'), count(*) FILTER (WHERE "decision" = 'deny')
		FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT ("hour", "application_name") DO UPDATE SET "allowed" = h."allowed" + excluded."allowed", "blocked" = h."blocked" + excluded."blocked";
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "access_log_hourly_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	TRUNCATE "access_log_hourly";
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "access_log_hourly_insert" AFTER INSERT ON "access_log" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "access_log_hourly_apply"();
--> statement-breakpoint
CREATE TRIGGER "access_log_hourly_update" AFTER UPDATE ON "access_log" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "access_log_hourly_apply"();
--> statement-breakpoint
CREATE TRIGGER "access_log_hourly_delete" AFTER DELETE ON "access_log" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "access_log_hourly_apply"();
--> statement-breakpoint
CREATE TRIGGER "access_log_hourly_truncate" AFTER TRUNCATE ON "access_log" FOR EACH STATEMENT EXECUTE FUNCTION "access_log_hourly_truncate"();
--> statement-breakpoint
INSERT INTO "access_log_hourly" ("hour", "application_name", "allowed", "blocked")
SELECT date_trunc('hour', "at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce("application_name", '(no application)'),
	count(*) FILTER (WHERE "decision" = 'allow'), count(*) FILTER (WHERE "decision" = 'deny')
FROM "access_log" GROUP BY 1, 2;
