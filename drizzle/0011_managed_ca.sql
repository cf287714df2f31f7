CREATE TABLE "client_certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"managed_ca_id" uuid NOT NULL,
	"label" text DEFAULT '' NOT NULL,
	"common_name" text DEFAULT '' NOT NULL,
	"serial_number" text NOT NULL,
	"certificate_pem" text NOT NULL,
	"csr_pem" text NOT NULL,
	"subject" jsonb NOT NULL,
	"validity_days" integer NOT NULL,
	"issued_on" timestamp with time zone NOT NULL,
	"expires_on" timestamp with time zone NOT NULL,
	"fingerprint_sha256" text NOT NULL,
	"ski" text NOT NULL,
	"signature" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"revoked_at" timestamp with time zone,
	"revocation_reason" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "managed_cas" (
	"id" uuid PRIMARY KEY NOT NULL,
	"key_type" text NOT NULL,
	"sealed_key" text NOT NULL,
	"crl_number" integer DEFAULT 0 NOT NULL,
	"crl_issued_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mtls_certificates" ADD COLUMN "managed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "client_certificates" ADD CONSTRAINT "client_certificates_managed_ca_id_managed_cas_id_fk" FOREIGN KEY ("managed_ca_id") REFERENCES "public"."managed_cas"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "managed_cas" ADD CONSTRAINT "managed_cas_id_mtls_certificates_id_fk" FOREIGN KEY ("id") REFERENCES "public"."mtls_certificates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "client_certificates_ca_serial_key" ON "client_certificates" USING btree ("managed_ca_id","serial_number");--> statement-breakpoint
CREATE INDEX "client_certificates_status_idx" ON "client_certificates" USING btree ("status","issued_on");--> statement-breakpoint
CREATE INDEX "client_certificates_expires_idx" ON "client_certificates" USING btree ("expires_on");