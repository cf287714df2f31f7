CREATE TABLE "blocked_certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"match_key" text NOT NULL,
	"sha256" text,
	"issuer" text,
	"serial" text,
	"subject" text,
	"reason" text NOT NULL,
	"source" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "blocked_certificates_match_key" ON "blocked_certificates" USING btree ("match_key");