CREATE TABLE "access_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"hostname" text NOT NULL,
	"application_id" uuid,
	"application_name" text,
	"client_cn" text,
	"serial_number" text,
	"decision" text NOT NULL,
	"policy_id" uuid,
	"policy_name" text,
	"reason" text,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"notified_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"user_id" uuid NOT NULL,
	"permission" text NOT NULL,
	"token_hash" text NOT NULL,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "application_policies" (
	"application_id" uuid NOT NULL,
	"policy_id" uuid NOT NULL,
	"precedence" integer NOT NULL,
	CONSTRAINT "application_policies_application_id_policy_id_pk" PRIMARY KEY("application_id","policy_id")
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"aud" text NOT NULL,
	"name" text NOT NULL,
	"domain" text NOT NULL,
	"hostname" text NOT NULL,
	"path" text DEFAULT '' NOT NULL,
	"type" text DEFAULT 'self_hosted' NOT NULL,
	"session_duration" text DEFAULT '24h' NOT NULL,
	"origin_url" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"resource_type" text NOT NULL,
	"resource_id" text,
	"before" jsonb,
	"after" jsonb,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "certificate_hostnames" (
	"certificate_id" uuid NOT NULL,
	"hostname" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "certificate_hostnames_certificate_id_hostname_pk" PRIMARY KEY("certificate_id","hostname")
);
--> statement-breakpoint
CREATE TABLE "hostname_settings" (
	"hostname" text PRIMARY KEY NOT NULL,
	"client_certificate_forwarding" boolean DEFAULT false NOT NULL,
	"china_network" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mtls_certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"certificate_pem" text NOT NULL,
	"fingerprint" text NOT NULL,
	"expires_on" timestamp with time zone NOT NULL,
	"chain" jsonb NOT NULL,
	"crl_pem" text,
	"crl" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"decision" text NOT NULL,
	"include" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"require" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"exclude" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"session_duration" text DEFAULT '24h' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"role" text NOT NULL,
	"password_hash" text,
	"oidc_subject" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_policies" ADD CONSTRAINT "application_policies_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_policies" ADD CONSTRAINT "application_policies_policy_id_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."policies"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificate_hostnames" ADD CONSTRAINT "certificate_hostnames_certificate_id_mtls_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."mtls_certificates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "access_log_at_idx" ON "access_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "access_log_hostname_idx" ON "access_log" USING btree ("hostname","at");--> statement-breakpoint
CREATE INDEX "access_log_app_idx" ON "access_log" USING btree ("application_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_kind_resource_key" ON "alerts" USING btree ("kind","resource_id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_key" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "application_policies_policy_idx" ON "application_policies" USING btree ("policy_id");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_aud_key" ON "applications" USING btree ("aud");--> statement-breakpoint
CREATE INDEX "applications_hostname_idx" ON "applications" USING btree ("hostname");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor","at");--> statement-breakpoint
CREATE INDEX "audit_events_resource_type_idx" ON "audit_events" USING btree ("resource_type","at");--> statement-breakpoint
CREATE INDEX "certificate_hostnames_hostname_idx" ON "certificate_hostnames" USING btree ("hostname");--> statement-breakpoint
CREATE UNIQUE INDEX "mtls_certificates_name_key" ON "mtls_certificates" USING btree ("name");--> statement-breakpoint
CREATE INDEX "mtls_certificates_expires_idx" ON "mtls_certificates" USING btree ("expires_on");--> statement-breakpoint
CREATE INDEX "policies_name_idx" ON "policies" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "users_oidc_subject_key" ON "users" USING btree ("oidc_subject");