CREATE TABLE "application_login_methods" (
	"application_id" uuid NOT NULL,
	"login_method_id" uuid NOT NULL,
	CONSTRAINT "application_login_methods_application_id_login_method_id_pk" PRIMARY KEY("application_id","login_method_id")
);
--> statement-breakpoint
CREATE TABLE "gateway_sign_ins" (
	"id" text PRIMARY KEY NOT NULL,
	"login_method_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"browser_hash" text NOT NULL,
	"code_verifier" text NOT NULL,
	"nonce" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"return_to" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_methods" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"type" text DEFAULT 'oidc' NOT NULL,
	"issuer_url" text NOT NULL,
	"client_id" text NOT NULL,
	"client_secret_sealed" text NOT NULL,
	"scopes" text DEFAULT 'openid email profile' NOT NULL,
	"email_claim" text DEFAULT 'email' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "application_login_methods" ADD CONSTRAINT "application_login_methods_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_login_methods" ADD CONSTRAINT "application_login_methods_login_method_id_login_methods_id_fk" FOREIGN KEY ("login_method_id") REFERENCES "public"."login_methods"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_sign_ins" ADD CONSTRAINT "gateway_sign_ins_login_method_id_login_methods_id_fk" FOREIGN KEY ("login_method_id") REFERENCES "public"."login_methods"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gateway_sign_ins" ADD CONSTRAINT "gateway_sign_ins_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_login_methods_method_idx" ON "application_login_methods" USING btree ("login_method_id");--> statement-breakpoint
CREATE INDEX "gateway_sign_ins_expires_idx" ON "gateway_sign_ins" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "login_methods_name_key" ON "login_methods" USING btree ("name");