CREATE TABLE "client_certificates_seen" (
	"sha256" text PRIMARY KEY NOT NULL,
	"der" "bytea" NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "access_log" ADD COLUMN "path" text;--> statement-breakpoint
ALTER TABLE "access_log" ADD COLUMN "chain_sha256" text[];