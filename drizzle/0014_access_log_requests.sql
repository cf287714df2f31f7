ALTER TABLE "access_log" ADD COLUMN "requests" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- Hand-written below: a row now stands for `requests` identical requests of the same second, so the hourly roll-up
-- adds up requests instead of counting rows (rows logged before this migration have requests = 1).
CREATE OR REPLACE FUNCTION "access_log_hourly_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- Rows are upserted in key order so that concurrent batches lock them in the same order (no deadlocks).
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		INSERT INTO "access_log_hourly" AS h ("hour", "application_name", "allowed", "blocked")
		SELECT date_trunc('hour', "at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce("application_name", '(no application)'),
			-coalesce(sum("requests") FILTER (WHERE "decision" = 'allow'), 0), -coalesce(sum("requests") FILTER (WHERE "decision" = 'deny'), 0)
		FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT ("hour", "application_name") DO UPDATE SET "allowed" = h."allowed" + excluded."allowed", "blocked" = h."blocked" + excluded."blocked";
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO "access_log_hourly" AS h ("hour", "application_name", "allowed", "blocked")
		SELECT date_trunc('hour', "at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce("application_name", '(no application)'),
			coalesce(sum("requests") FILTER (WHERE "decision" = 'allow'), 0), coalesce(sum("requests") FILTER (WHERE "decision" = 'deny'), 0)
		FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT ("hour", "application_name") DO UPDATE SET "allowed" = h."allowed" + excluded."allowed", "blocked" = h."blocked" + excluded."blocked";
	END IF;
	RETURN NULL;
END
$$;
