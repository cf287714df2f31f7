ALTER TABLE "hostname_settings" ADD COLUMN "crl_stale_mode" text DEFAULT 'block' NOT NULL;--> statement-breakpoint
ALTER TABLE "hostname_settings" ADD COLUMN "ocsp" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "mtls_certificates" ADD COLUMN "crl_url" text;--> statement-breakpoint
ALTER TABLE "mtls_certificates" ADD COLUMN "crl_refresh" jsonb;