CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"last_at" bigint DEFAULT 0 NOT NULL,
	"blocked_until" bigint DEFAULT 0 NOT NULL,
	"prev_blocked_until" bigint DEFAULT 0 NOT NULL,
	"forget_at" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rate_limits_forget_at_idx" ON "rate_limits" USING btree ("forget_at");