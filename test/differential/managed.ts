/**
 * The differential matrix's managed CA cases (issue #16), drawn from their own PRNG stream so the other cases of a
 * seed stay what they were: per configuration, a hostname of its own trusted through the managed CA (no upload),
 * with an application whose policy has a Common Name rule (even configurations) or a Valid Certificate rule (odd
 * ones); the requests present the certificates the managed CA issued (./managed-env): active, another Common Name,
 * revoked, revoked then reactivated, expired, or an active one at a hostname that trusts only uploaded CAs. The `n`th
 * managed case of a run is of MANAGED_CATEGORIES[n % 6], so a small run has each.
 */
import type { ConfigSpec, PolicyDecision, RequestSpec, Rng, Rule } from "./generate";
import { MANAGED_CA } from "./pki";

export const MANAGED_KINDS = ["active", "wrong_cn", "revoked", "reactivated", "expired"] as const;
export type ManagedKind = (typeof MANAGED_KINDS)[number];

export const MANAGED_CATEGORIES = ["managed_active", "managed_wrong_cn", "managed_revoked", "managed_reactivated", "managed_expired", "managed_untrusted_host"] as const;

/** The Common Name of the managed CA's certificates (`wrong_cn`: Jane Roe), as the uploaded CAs' leaves. */
export const managedCommonName = (kind: ManagedKind) => (kind === "wrong_cn" ? "Jane Roe" : "John Doe");

export interface ManagedConfig {
  hostname: string;
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export function addManagedApp(r: Rng, cfg: ConfigSpec): void {
  const hostname = `m-c${cfg.index}.diff.example`;
  const rule: Rule = cfg.index % 2 === 0 ? { common_name: { common_name: "John Doe" } } : { certificate: {} };
  const decision = pick(r, ["allow", "non_identity", "non_identity", "bypass", "deny"] as PolicyDecision[]);
  // Sometimes an IP rule as well, so a certificate is not the only thing deciding.
  const require: Rule[] = r() < 0.25 ? [{ ip: { ip: pick(r, ["127.0.0.0/8", "192.0.2.0/24"]) } }] : [];
  cfg.policies.push({ name: `c${cfg.index} managed`, decision, include: [rule], require, exclude: [] });
  cfg.apps.push({ name: `c${cfg.index} managed`, hostname, path: pick(r, ["", "/devices"]), policies: [cfg.policies.length - 1] });
  cfg.managed = { hostname };
}

export function generateManagedRequest(r: Rng, cfg: ConfigSpec, n: number): RequestSpec {
  const category = MANAGED_CATEGORIES[n % MANAGED_CATEGORIES.length];
  const managed: ManagedKind = category === "managed_untrusted_host" ? "active" : (category.slice("managed_".length) as ManagedKind);
  // `kind` says what the certificate is in the uploaded CAs' terms (the nginx limitations look at it).
  const kind = managed === "wrong_cn" ? "jane" : managed === "revoked" || managed === "expired" ? managed : "john";
  if (category === "managed_untrusted_host") {
    const hostname = pick(r, cfg.hostnames);
    const paths = cfg.apps.filter((a) => a.hostname === hostname).map((a) => a.path || "/");
    return { hostname, path: pick(r, [...paths, "/"]), ca: MANAGED_CA, kind, managed, intermediateSent: false, category };
  }
  const app = cfg.apps.find((a) => a.hostname === cfg.managed!.hostname)!;
  // Inside the application: what decides is the certificate, not a path no application covers.
  return { hostname: cfg.managed!.hostname, path: pick(r, [app.path || "/", `${app.path}/x`]), ca: MANAGED_CA, kind, managed, intermediateSent: false, category };
}
