/** Builds a `HostSnapshot` from plain configuration (what the gateway and the tester load). */
import { createValidator } from "../pki";
import { compilePolicies } from "../policy";
import { compileBlockList, type BlockedCertificate } from "./blocked";
import { policyNeedsIdentity } from "./identity";
import { DEFAULT_REVOCATION, type RevocationSettings } from "./freshness";
import { keyedApps } from "./match";
import type { AccessApp, AppConfig, HostSnapshot } from "./types";

export interface HostConfigInput<C extends AppConfig> {
  hostname: string;
  /** the CA PEMs of the certificates associated with the hostname */
  cas: readonly string[];
  /** their stored CRLs (PEM) */
  crls: readonly string[];
  forwarding: boolean;
  apps: readonly C[];
  /** every blocked certificate (./blocked) */
  blocked?: readonly BlockedCertificate[];
  /** default: block an out-of-date CRL, no OCSP */
  revocation?: RevocationSettings;
}

/** Order-independent identity of a trust store: equal for hostnames that ask for and validate certificates alike. */
export function trustKeyOf(cas: readonly string[], crls: readonly string[], revocation: RevocationSettings = DEFAULT_REVOCATION): string {
  if (!cas.length) return "";
  const norm = (s: string) => s.replace(/\s+/g, "");
  // Hostnames that treat stale revocation information differently do not validate alike (the default adds nothing).
  const rev = revocation.staleMode === "block" && !revocation.ocsp ? "" : `#${revocation.staleMode}${revocation.ocsp ? "+ocsp" : ""}`;
  const strict = revocation.strict ? "#strict" : "";
  return `${[...cas].map(norm).sort().join("|")}#${[...crls].map(norm).sort().join("|")}${rev}${strict}`;
}

/**
 * Compiles a hostname: its validator, trust key, and applications (most specific first) with compiled policies.
 * `extend` adds what a caller keeps per application (the gateway: origin and session length).
 */
export function compileHost<C extends AppConfig, A extends AccessApp<C> = AccessApp<C>>(cfg: HostConfigInput<C>, extend?: (a: AccessApp<C>) => A): HostSnapshot<A> {
  const apps = keyedApps(cfg.apps).map(({ app, pathKey }) => {
    const base: AccessApp<C> = { app, pathKey, evaluator: compilePolicies(app.policies), needsIdentity: app.policies.some(policyNeedsIdentity) };
    return extend ? extend(base) : (base as A);
  });
  return {
    hostname: cfg.hostname,
    associated: cfg.cas.length > 0,
    trustKey: trustKeyOf(cfg.cas, cfg.crls, cfg.revocation),
    validator: cfg.cas.length ? createValidator({ trustAnchors: [...cfg.cas], crls: [...cfg.crls], strict: cfg.revocation?.strict === true }) : null,
    forwarding: cfg.forwarding,
    blocked: compileBlockList(cfg.blocked),
    revocation: cfg.revocation ?? DEFAULT_REVOCATION,
    apps,
  };
}
