/** Input schemas for self-hosted applications, in Cloudflare's JSON shape (shared by the UI and the REST API). */
import { z } from "zod";
import { parseAppDomain } from "../../hostname";
import { sessionDurationSchema } from "../../policy";
import { allowedIdpsSchema } from "../login-methods/applications";
import { isUuid, versionSchema } from "../policies";

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

/** A DNS name: labels of letters, digits, "-" and "_" (service names such as my_backend), 1–63 characters each. */
const DNS_NAME_RE = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6_RE = /^\[[0-9a-f:.]+\]$/;
/**
 * Characters an origin URL's path may contain: RFC 3986 pchar without ";", "$", "'", which mean something to proxy
 * configuration languages (the nginx export writes the path into its configuration).
 */
const ORIGIN_PATH_RE = /^[A-Za-z0-9\-._~%!*+,=:@&()/]*$/;

/**
 * Checks an origin URL: http(s), no credentials, a host that is a DNS name or an IP literal, a plain path. Returns
 * the parsed URL or a sentence saying what is wrong. The gateway and the nginx export check stored rows with it too
 * (a row written before this check existed must not reach a proxy configuration).
 */
export function checkOriginUrl(v: string): { ok: true; url: URL } | { ok: false; error: string } {
  if (/[\x00-\x20\x7f]/.test(v)) return { ok: false, error: "Origin URL must not contain spaces or control characters" };
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return { ok: false, error: `"${v}" is not a valid URL (expected something like http://10.0.0.5:8080)` };
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return { ok: false, error: "Origin URL must start with http:// or https://" };
  if (u.username || u.password) return { ok: false, error: "Origin URL must not contain a user name or password" };
  const host = u.hostname;
  if (!host || !(IPV4_RE.test(host) || IPV6_RE.test(host) || (DNS_NAME_RE.test(host) && !/^[\d.]+$/.test(host)))) {
    return { ok: false, error: `The origin URL's host "${decodeURIComponent(host)}" must be a hostname (letters, digits, "-", "_" and dots) or an IP address` };
  }
  if (!ORIGIN_PATH_RE.test(u.pathname)) {
    return { ok: false, error: `The origin URL's path "${u.pathname}" may contain only letters, digits and - . _ ~ % ! * + , = : @ & ( ) /` };
  }
  return { ok: true, url: u };
}

const originSchema = z
  .string({ error: "Origin URL must be a URL such as http://10.0.0.5:8080" })
  .trim()
  .nullish()
  .transform((v, ctx): string | null => {
    if (!v) return null;
    const r = checkOriginUrl(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.error });
      return z.NEVER;
    }
    const u = r.url;
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
  // The gateway matches "/admin;x" as "/admin" (origins such as Tomcat read ";x" as parameters), so a path with ";"
  // would protect (or bypass) more than it says.
  if (r.path.includes(";") || /%3b/i.test(r.path)) {
    ctx.addIssue({ code: "custom", message: `"${v.trim()}" is not a valid domain: the path must not contain ";" (origins read what follows it as parameters, so the gateway matches "/a;b" as "/a")` });
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
    /** the login methods it offers (ids); [] or null = every login method; absent on update = unchanged */
    allowed_idps: allowedIdpsSchema.optional(),
    version: versionSchema,
  },
  { error: "Application must be a JSON object" },
);

