/**
 * Access rule selectors (Cloudflare JSON shape, design.md §2): labels, value validators, and a strict,
 * never-throwing parser for one rule object that reports field-relative issue paths.
 */
import { normalizeHostname } from "../hostname";
import { parseCidr } from "./ip";

export const SELECTORS = [
  "certificate",
  "common_name",
  "everyone",
  "email",
  "email_domain",
  "ip",
  "service_token",
  "any_valid_service_token",
] as const;
export type Selector = (typeof SELECTORS)[number];

type Empty = Record<string, never>;
export type Rule =
  | { certificate: Empty }
  | { common_name: { common_name: string } }
  | { everyone: Empty }
  | { email: { email: string } }
  | { email_domain: { domain: string } }
  | { ip: { ip: string } }
  | { service_token: { token_id: string } }
  | { any_valid_service_token: Empty };

/** What a selector needs from the request: used by the evaluator and by Service Auth / Bypass checks. */
export type SelectorKind = "certificate" | "identity" | "network" | "service_token" | "everyone";

/**
 * Something the gateway must be able to establish about a request before a selector can ever match:
 * `sign_in` (an authenticated user's email) and `service_tokens` (a verified service token).
 */
export type GatewayCapability = "sign_in" | "service_tokens";

/**
 * What the gateway enforces: service tokens (`CF-Access-Client-Id` / `-Secret`, lib/gateway/service-token-auth) and
 * sign-in with a login method (OpenID Connect, lib/gateway/identity), so every selector can match. The single source
 * of truth for "which selectors can match at the gateway": the evaluator, the editor, the API warnings and the trace
 * all read it, so a capability listed here makes its selectors enforceable everywhere at once.
 */
export const GATEWAY_CAPABILITIES: readonly GatewayCapability[] = ["service_tokens", "sign_in"];

/** Why a selector cannot match yet, completing "not enforceable yet: …". */
export const CAPABILITY_NEEDS: Readonly<Record<GatewayCapability, string>> = {
  sign_in: "needs sign-in at the gateway",
  service_tokens: "needs service tokens at the gateway",
};

export interface SelectorInfo {
  selector: Selector;
  /** dashboard label, e.g. "Common Name" */
  label: string;
  kind: SelectorKind;
  /** name of the value field inside the rule body (`common_name`, `email`, …), null when the rule takes no value */
  field: string | null;
  placeholder?: string;
  /** dashboard help text */
  description: string;
  /** what the gateway must establish before this selector can match; null when it can always be evaluated */
  requires: GatewayCapability | null;
}

export const SELECTOR_INFO: Readonly<Record<Selector, SelectorInfo>> = {
  certificate: { selector: "certificate", label: "Valid Certificate", kind: "certificate", field: null, description: "The request will need to present any valid client certificate.", requires: null },
  common_name: { selector: "common_name", label: "Common Name", kind: "certificate", field: "common_name", placeholder: "John Doe", description: "The request will need to present a valid certificate with an expected common name.", requires: null },
  everyone: { selector: "everyone", label: "Everyone", kind: "everyone", field: null, description: "Matches every request.", requires: null },
  email: { selector: "email", label: "Emails", kind: "identity", field: "email", placeholder: "user@example.com", description: "Matches an authenticated user's email address.", requires: "sign_in" },
  email_domain: { selector: "email_domain", label: "Emails ending in", kind: "identity", field: "domain", placeholder: "example.com", description: "Matches authenticated users whose email ends in @domain.", requires: "sign_in" },
  ip: { selector: "ip", label: "IP ranges", kind: "network", field: "ip", placeholder: "10.0.0.0/8", description: "Matches client IP addresses in an IPv4 or IPv6 CIDR range.", requires: null },
  service_token: { selector: "service_token", label: "Service Token", kind: "service_token", field: "token_id", placeholder: "service token ID", description: "The request will need to present the headers of this service token.", requires: "service_tokens" },
  any_valid_service_token: { selector: "any_valid_service_token", label: "Any Access Service Token", kind: "service_token", field: null, description: "The request will need to present the headers of any valid service token.", requires: "service_tokens" },
};

export const SELECTOR_LABELS: Readonly<Record<Selector, string>> = Object.fromEntries(
  SELECTORS.map((s) => [s, SELECTOR_INFO[s].label]),
) as Record<Selector, string>;

/** Cloudflare selectors Portcullis recognises but does not implement (refused with a specific message). */
const UNSUPPORTED = new Set([
  "email_list", "ip_list", "geo", "group", "login_method", "auth_method", "device_posture", "external_evaluation",
  "azureAD", "github-organization", "gsuite", "okta", "saml", "oidc", "auth_context", "linked_app_token",
  "user_risk_score", "cloudflare_account_member",
]);

export function isSelector(x: unknown): x is Selector {
  return typeof x === "string" && (SELECTORS as readonly string[]).includes(x);
}

/**
 * Null when the gateway can evaluate `selector` (given its capabilities, by default today's), else what it needs,
 * e.g. "needs sign-in at the gateway". Such a rule never matches: Include never admits, Require never passes,
 * Exclude never excludes.
 */
export function selectorNeeds(selector: Selector, capabilities: readonly GatewayCapability[] = GATEWAY_CAPABILITIES): string | null {
  const req = SELECTOR_INFO[selector]?.requires;
  return req && !capabilities.includes(req) ? CAPABILITY_NEEDS[req] : null;
}

export function selectorEnforceable(selector: Selector, capabilities: readonly GatewayCapability[] = GATEWAY_CAPABILITIES): boolean {
  return selectorNeeds(selector, capabilities) === null;
}

export function selectorTakesValue(selector: Selector): boolean {
  return SELECTOR_INFO[selector].field !== null;
}

const MAX_VALUE_LENGTH = 1024;
const EMAIL_RE = /^([^\s@]{1,64})@([^\s@]+)$/;

export type ValueResult = { ok: true; value: string } | { ok: false; error: string };

/** Validates and normalises the Value of a selector that takes one (trimmed; email/domain/IP canonicalised). */
export function normalizeRuleValue(selector: Selector, value: unknown): ValueResult {
  const info = SELECTOR_INFO[selector];
  if (info.field === null) return { ok: false, error: `${info.label} takes no value` };
  if (typeof value !== "string") return { ok: false, error: `${info.label} must be a string` };
  const v = value.trim();
  if (v === "") return { ok: false, error: `${info.label} must not be empty` };
  if (v.length > MAX_VALUE_LENGTH) return { ok: false, error: `${info.label} must be at most ${MAX_VALUE_LENGTH} characters` };
  switch (selector) {
    case "email": {
      const m = EMAIL_RE.exec(v);
      const d = m ? normalizeHostname(m[2]) : null;
      if (!m || !d || !d.ok || d.notice) return { ok: false, error: `"${v}" is not a valid email address` };
      return { ok: true, value: `${m[1]}@${d.hostname}` };
    }
    case "email_domain": {
      const bare = v.startsWith("@") ? v.slice(1) : v;
      const d = normalizeHostname(bare);
      if (!d.ok || d.notice || bare.includes("@")) {
        return { ok: false, error: `"${v}" is not a valid email domain (expected something like example.com)` };
      }
      return { ok: true, value: d.hostname };
    }
    case "ip": {
      const c = parseCidr(v);
      return c.ok ? { ok: true, value: c.cidr.text } : { ok: false, error: c.error };
    }
    default:
      return { ok: true, value: v };
  }
}

/** Row validation for a UI: null when `value` is acceptable for `selector`, else a specific message. */
export function validateRuleValue(selector: Selector, value: string | undefined): string | null {
  if (!selectorTakesValue(selector)) {
    return value === undefined || value.trim() === "" ? null : `${SELECTOR_LABELS[selector]} takes no value`;
  }
  const r = normalizeRuleValue(selector, value ?? "");
  return r.ok ? null : r.error;
}

/** Builds a rule object from a selector and (for selectors that take one) a value. */
export function makeRule(selector: Selector, value?: string): { ok: true; rule: Rule } | { ok: false; error: string } {
  const field = SELECTOR_INFO[selector].field;
  if (field === null) return { ok: true, rule: { [selector]: {} } as Rule };
  const r = normalizeRuleValue(selector, value ?? "");
  if (!r.ok) return r;
  return { ok: true, rule: { [selector]: { [field]: r.value } } as Rule };
}

export function ruleSelector(rule: Rule): Selector {
  return Object.keys(rule)[0] as Selector;
}

export function ruleValue(rule: Rule): string | undefined {
  const selector = ruleSelector(rule);
  const field = SELECTOR_INFO[selector].field;
  if (field === null) return undefined;
  return (rule as Record<string, Record<string, string>>)[selector][field];
}

export interface RuleIssue {
  /** path relative to the rule, e.g. ["common_name", "common_name"] */
  path: (string | number)[];
  message: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const SUPPORTED_LIST = SELECTORS.join(", ");

/** Parses one rule in Cloudflare's JSON shape. Never throws. */
export function parseRule(input: unknown): { ok: true; rule: Rule } | { ok: false; issue: RuleIssue } {
  const bad = (path: (string | number)[], message: string) => ({ ok: false as const, issue: { path, message } });
  if (!isPlainObject(input)) {
    return bad([], `Rule must be an object with exactly one selector key, e.g. {"certificate": {}}`);
  }
  const keys = Object.keys(input);
  if (keys.length === 0) return bad([], `Rule is empty: it needs exactly one selector key (${SUPPORTED_LIST})`);
  if (keys.length > 1) {
    return bad([], `Rule has ${keys.length} selector keys (${keys.join(", ")}); each rule takes exactly one, so split them into separate rules`);
  }
  const key = keys[0];
  if (!isSelector(key)) {
    return UNSUPPORTED.has(key)
      ? bad([key], `Selector "${key}" is not supported by Portcullis (supported: ${SUPPORTED_LIST})`)
      : bad([key], `Unknown selector "${key}" (supported: ${SUPPORTED_LIST})`);
  }
  const info = SELECTOR_INFO[key];
  const body = input[key];
  const example = info.field === null ? `{"${key}": {}}` : `{"${key}": {"${info.field}": "${info.placeholder}"}}`;
  if (!isPlainObject(body)) return bad([key], `${info.label} rule must be an object, e.g. ${example}`);
  for (const k of Object.keys(body)) {
    if (k !== info.field) {
      return info.field === null
        ? bad([key, k], `${info.label} takes no value: expected ${example}`)
        : bad([key, k], `Unknown field "${k}" in ${info.label} rule (expected only "${info.field}")`);
    }
  }
  if (info.field === null) return { ok: true, rule: { [key]: {} } as Rule };
  if (!(info.field in body) || body[info.field] === undefined) return bad([key, info.field], `${info.label} is required`);
  const r = normalizeRuleValue(key, body[info.field]);
  if (!r.ok) return bad([key, info.field], r.error);
  return { ok: true, rule: { [key]: { [info.field]: r.value } } as Rule };
}
