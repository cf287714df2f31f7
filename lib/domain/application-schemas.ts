/** Input schemas for self-hosted applications, in Cloudflare's JSON shape (shared by the UI and the REST API). */
import { z } from "zod";
import { parseAppDomain } from "../hostname";
import { sessionDurationSchema } from "../policy";
import { isUuid, versionSchema } from "./policies";

export const MAX_APPLICATION_NAME_LENGTH = 350;

export const MAX_APPLICATION_POLICIES = 500;

type Link = { id: string; precedence?: number; i: number };

/** One policy reference as Cloudflare accepts it: a bare UUID or a link `{id, precedence?}`. */
function parseLink(item: unknown, i: number): Link | string {
  const n = i + 1;
  if (typeof item === "string") return isUuid(item.trim()) ? { id: item.trim().toLowerCase(), i } : `Policy ${n}: "${item}" is not a policy ID (UUID)`;
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return `Policy ${n}: expected a policy ID or an object like {"id": "<policy id>", "precedence": 1}`;
  }
  const o = item as Record<string, unknown>;
  if ("name" in o || "decision" in o || "include" in o) {
    return `Policy ${n}: inline application policies are not supported; create a reusable policy under Policies and link it by ID`;
  }
  if (!isUuid(o.id)) return `Policy ${n}: the link needs the policy's ID (UUID) in "id"`;
  if (o.precedence !== undefined && o.precedence !== null && !(Number.isInteger(o.precedence) && (o.precedence as number) >= 0)) {
    return `Policy ${n}: precedence must be a whole number (1, 2, …)`;
  }
  return { id: (o.id as string).toLowerCase(), precedence: (o.precedence as number | null) ?? undefined, i };
}

/** Policy references → ids in precedence order (explicit precedence first, then array order). */
export const policiesSchema = z.unknown().transform((v, ctx): string[] => {
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: "custom", message: "Policies must be a list of policy IDs" });
    return z.NEVER;
  }
  if (v.length > MAX_APPLICATION_POLICIES) {
    ctx.addIssue({ code: "custom", message: `An application may have at most ${MAX_APPLICATION_POLICIES} policies` });
    return z.NEVER;
  }
  const items: Link[] = [];
  for (const [i, raw] of v.entries()) {
    const r = parseLink(raw, i);
    if (typeof r === "string") ctx.addIssue({ code: "custom", message: r });
    else items.push(r);
  }
  items.sort((a, b) => (a.precedence ?? Number.MAX_SAFE_INTEGER) - (b.precedence ?? Number.MAX_SAFE_INTEGER) || a.i - b.i);
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.id)) ctx.addIssue({ code: "custom", message: `Policy ${it.id} is listed twice; each policy can be attached once` });
    seen.add(it.id);
  }
  return items.map((it) => it.id);
});

const originSchema = z
  .string({ error: "Origin URL must be a URL such as http://10.0.0.5:8080" })
  .trim()
  .nullish()
  .transform((v, ctx): string | null => {
    if (!v) return null;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: `"${v}" is not a valid URL (expected something like http://10.0.0.5:8080)` });
      return z.NEVER;
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "Origin URL must start with http:// or https://" });
      return z.NEVER;
    }
    if (u.username || u.password) {
      ctx.addIssue({ code: "custom", message: "Origin URL must not contain a user name or password" });
      return z.NEVER;
    }
    const url = u.toString();
    // "http://10.0.0.5:8080" stays as typed rather than gaining a trailing slash.
    return u.pathname === "/" && !u.search && !u.hash && !v.endsWith("/") ? url.slice(0, -1) : url;
  });

const domainSchema = z.string({ error: "Domain is required (a hostname and optional path, e.g. auth.example.com/admin)" }).transform((v, ctx) => {
  const r = parseAppDomain(v);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  }
  return r;
});

export const appInputSchema = z.object(
  {
    name: z
      .string({ error: "Application name must be text" })
      .trim()
      .min(1, "Application name must not be empty")
      .max(MAX_APPLICATION_NAME_LENGTH, `Application name must be at most ${MAX_APPLICATION_NAME_LENGTH} characters`)
      .optional(),
    domain: domainSchema,
    type: z.literal("self_hosted", { error: 'Only self-hosted applications are supported (type "self_hosted")' }).optional(),
    session_duration: sessionDurationSchema,
    origin_url: originSchema,
    policies: policiesSchema.optional(),
    version: versionSchema,
  },
  { error: "Application must be a JSON object" },
);

