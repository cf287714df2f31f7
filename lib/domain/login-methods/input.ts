/**
 * What a login method's form or REST body must hold, as zod schemas: the name and client ID as plain text, the
 * issuer URL checked the way discovery will use it (./oidc), the scopes (space-separated tokens, openid required)
 * and the email claim with their defaults, and the client secret (required when creating, optional when updating:
 * the caller decides). `invalid` turns the issues into the field errors the form highlights.
 */
import { z } from "zod";
import { fail, zodFieldErrors } from "../core/result";
import { DEFAULT_EMAIL_CLAIM, DEFAULT_SCOPES } from "./defaults";
import { checkIssuerUrl } from "./oidc";

const text = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`)
    .refine((v) => !/[\x00-\x1f\x7f]/.test(v), `${label} must not contain control characters`);

const issuerSchema = text("Issuer URL", 2048).transform((v, ctx) => {
  const r = checkIssuerUrl(v);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  }
  return v;
});

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const scopesSchema = z
  .string({ error: "Scopes must be text" })
  .optional()
  .transform((v, ctx) => {
    const list = (v ?? "").trim().split(/\s+/).filter(Boolean);
    if (!list.length) return DEFAULT_SCOPES;
    const bad = list.find((s) => !SCOPE_TOKEN.test(s));
    if (bad) {
      ctx.addIssue({ code: "custom", message: `"${bad}" is not a valid scope (no quotes or backslashes; separate scopes with spaces)` });
      return z.NEVER;
    }
    if (!list.includes("openid")) {
      ctx.addIssue({ code: "custom", message: 'Scopes must include "openid" (the sign-in needs an ID token)' });
      return z.NEVER;
    }
    if (list.join(" ").length > 1000) {
      ctx.addIssue({ code: "custom", message: "Scopes must be at most 1000 characters" });
      return z.NEVER;
    }
    return [...new Set(list)].join(" ");
  });

const emailClaimSchema = z
  .string({ error: "Email claim must be text" })
  .optional()
  .transform((v, ctx) => {
    const claim = (v ?? "").trim();
    if (!claim) return DEFAULT_EMAIL_CLAIM;
    if (!/^[A-Za-z0-9_.:/-]{1,100}$/.test(claim)) {
      ctx.addIssue({ code: "custom", message: "Email claim must be a claim name such as email or preferred_username (letters, digits, _ . : / -)" });
      return z.NEVER;
    }
    return claim;
  });

const secretSchema = z
  .string({ error: "Client secret is required" })
  .max(4096, "Client secret must be at most 4096 characters")
  .refine((v) => !/[\x00-\x1f\x7f]/.test(v), "Client secret must not contain control characters");

export const loginMethodInputSchema = z.object(
  {
    name: text("Name", 100),
    issuer_url: issuerSchema,
    client_id: text("Client ID", 1000),
    /** required when creating; empty or absent when updating keeps the stored secret */
    client_secret: secretSchema.optional(),
    scopes: scopesSchema,
    email_claim: emailClaimSchema,
    version: z.coerce.number({ error: "Version must be a number" }).int().positive().optional(),
  },
  { error: "Login method must be an object" },
);

/** The **Test** button's input: only what discovery needs. */
export const testInputSchema = z.object({ issuer_url: issuerSchema, client_id: z.string().trim().max(1000).optional() });

export function invalid(issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const fieldErrors = zodFieldErrors(issues.map((i) => ({ path: [...i.path], message: i.message })));
  const first = Object.values(fieldErrors)[0]?.[0];
  return fail("validation", first ? `Check the highlighted fields: ${first}` : "Check the highlighted fields.", fieldErrors);
}
