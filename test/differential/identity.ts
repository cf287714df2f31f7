/**
 * The differential matrix's identity cases (issues #15 and #17 §4), drawn from their own PRNG stream so the other
 * cases of a seed stay what they were: per configuration, on one of its hostnames, an application `/staff` whose
 * Allow policy needs an email ending in example.com (sometimes with Valid Certificate required: mTLS as a second
 * factor) and an application `/svc` whose Service Auth policy takes a service token (any valid one, or one named);
 * two service tokens (one disabled); and one blocked client certificate (the `stolen` leaf of a CA the hostname
 * trusts). The `n`th identity case of a run is of IDENTITY_CATEGORIES[n % 6], so a small run has each.
 */
import type { ConfigSpec, PolicySpec, RequestSpec, Rng } from "./generate";
import { CA_NAMES, type CaName } from "./pki";

export const IDENTITY_CATEGORIES = ["email_allowed", "email_other_domain", "email_missing", "service_token_valid", "service_token_disabled", "blocked_certificate"] as const;

/** Placeholder in a policy for the configuration's enabled service token's id. */
export const GOOD_TOKEN = "$good-token";

export interface IdentityConfig {
  hostname: string;
  policies: PolicySpec[];
  /** `/staff` then `/svc`, each with the policy of the same index */
  paths: ["/staff", "/svc"];
  /** the CA whose `stolen` leaf is blocked */
  blockedCa: CaName;
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export function addIdentityApps(r: Rng, cfg: ConfigSpec): void {
  const hostname = pick(r, cfg.hostnames);
  const trusted = cfg.uploads.filter((u) => u.hostnames.includes(hostname)).map((u) => u.ca).filter((c): c is CaName => (CA_NAMES as readonly string[]).includes(c));
  cfg.identity = {
    hostname,
    paths: ["/staff", "/svc"],
    blockedCa: pick(r, trusted),
    policies: [
      { name: `c${cfg.index} staff`, decision: "allow", include: [{ email_domain: { domain: "example.com" } }], require: r() < 0.5 ? [{ certificate: {} }] : [], exclude: [] },
      { name: `c${cfg.index} services`, decision: "non_identity", include: [r() < 0.5 ? { any_valid_service_token: {} } : { service_token: { token_id: GOOD_TOKEN } }], require: [], exclude: [] },
    ],
  };
}

export function generateIdentityRequest(r: Rng, cfg: ConfigSpec, n: number): RequestSpec {
  const id = cfg.identity!;
  const category = IDENTITY_CATEGORIES[n % IDENTITY_CATEGORIES.length];
  const trusted = cfg.uploads.filter((u) => u.hostnames.includes(id.hostname)).map((u) => u.ca);
  // Mostly a valid device certificate, sometimes none (a second factor missing, or a token alone).
  const ca = r() < 0.75 ? pick(r, trusted) : null;
  const base = { hostname: id.hostname, kind: "john" as const, intermediateSent: r() < 0.5, category };
  switch (category) {
    case "email_allowed":
      return { ...base, path: pick(r, ["/staff", "/staff/x"]), ca, email: pick(r, ["alice@example.com", "bob@example.com"]) };
    case "email_other_domain":
      return { ...base, path: "/staff/x", ca, email: "eve@elsewhere.test" };
    case "email_missing":
      return { ...base, path: "/staff", ca };
    case "service_token_valid":
      return { ...base, path: pick(r, ["/svc", "/svc/x"]), ca, serviceToken: "good" };
    case "service_token_disabled":
      return { ...base, path: "/svc/x", ca, serviceToken: "disabled" };
    default:
      return { ...base, path: pick(r, ["/staff/x", "/svc/x"]), ca: id.blockedCa, stolen: true, ...(r() < 0.5 ? { email: "alice@example.com" } : {}) };
  }
}
