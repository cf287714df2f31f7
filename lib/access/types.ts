/** Types of the one access decision (see ./index.ts). Pure data; no Node, DOM or framework APIs. */
import type { Decision, PolicyDecision, PolicyEvaluator, PolicyForEval, PolicyTrace } from "../policy";
import type { Validator } from "../pki";
import type { BlockedCertificate, BlockList } from "./blocked";
import type { RevocationSettings } from "./freshness";

/**
 * What a request comes to. `misdirected`: the Host names a hostname with another trust store than the TLS server
 * name. `unauthenticated`: it presented service-token credentials that do not authenticate (./service-token).
 * `sign_in`: the application's policies need a signed-in person and the request has none (./identity).
 */
export type AccessOutcome = "allow" | "block" | "bypass" | "service_auth" | "no_application" | "misdirected" | "unauthenticated" | "sign_in";

/** An application as configured (the fields the decision needs; the gateway keeps more). */
export interface AppConfig {
  id: string;
  name: string;
  domain: string;
  /** host as stored: exact, or a leading wildcard such as `*.example.com` */
  hostname: string;
  /** "" for the whole host, else "/admin" (as stored, not normalised) */
  path: string;
  /** in precedence order */
  policies: PolicyForEval[];
}

/** An application compiled for deciding: its normalised path key and its policies' evaluator. */
export interface AccessApp<C extends AppConfig = AppConfig> {
  app: C;
  /** the application's path as a lib/access/path key ("/" = the whole hostname) */
  pathKey: string;
  evaluator: PolicyEvaluator;
  /** its Allow or Block policies use an email (./identity): without a signed-in person the answer is `sign_in` */
  needsIdentity?: boolean;
}

/** One hostname's configuration, compiled: what decides every request whose Host (and TLS server name) is it. */
export interface HostSnapshot<A extends AccessApp = AccessApp> {
  hostname: string;
  /** associated with at least one mTLS certificate: the client certificate is requested and validated */
  associated: boolean;
  /**
   * Identifies the trust store (CAs and CRLs, order-independent): two hostnames with equal keys ask for and
   * validate client certificates identically. "" when no certificate is associated.
   */
  trustKey: string;
  /** a lib/pki validator over the hostname's CAs and CRLs, null when none is associated */
  validator: Validator | null;
  forwarding: boolean;
  /** out-of-date CRL / unavailable OCSP choice and whether OCSP is asked (./freshness); absent = block, no OCSP */
  revocation?: RevocationSettings;
  /** most specific first (see `orderApps`) */
  apps: A[];
  /** the blocked certificates (./blocked), refused on every application before any policy; absent/null: none */
  blocked?: BlockList | null;
}

/** The certificate outcome of a chain on a hostname (memoised and frozen: shared between requests). */
export interface CertVerdict {
  presented: boolean;
  valid: boolean;
  commonName: string | null;
  /** why the certificate is invalid (the first error), or why it was not validated */
  reason?: string;
  serial: string | null;
  /** the leaf's issuer DN as lib/pki shows it (for blocks by issuer + serial), when the leaf was parsed */
  issuer?: string | null;
  /** SHA-256 fingerprint of the leaf (colon hex), only when validated */
  sha256: string | null;
  /** the validated path above the leaf as PEM (for Client-Cert-Chain); empty unless valid */
  issuersPem: readonly string[];
  /** set when the certificate was let through without current revocation information (./freshness, "allow") */
  alert?: string;
}

/** One request as the decision sees it (the path already normalised by lib/access/path `normalizeTarget`). */
export interface AccessRequest {
  /** lib/access/path key of the request target */
  key: string;
  /** the normalised path the origin is sent (policies see it) */
  path: string;
  ip?: string;
  /** the signed-in person's email (a gateway session; the tester's "as if signed in as") */
  email?: string;
  /** the id of a service token whose credentials authenticated (./service-token `serviceTokenVerdict`) */
  serviceTokenId?: string;
  /**
   * set when the request presented service-token credentials that do not authenticate (why, for the log): the
   * request is refused with 401 once an application is found for it, before any policy runs
   */
  credentialError?: string;
}

/** Why an application was or was not chosen for a request (Test mTLS shows this). */
export interface AppConsidered {
  id: string;
  name: string;
  domain: string;
  matched: boolean;
  why: string;
}

/** What the origin is told about the client: only from a chain that validated, never for Bypass. */
export interface AccessIdentity {
  commonName: string | null;
  /** SHA-256 fingerprint of the leaf, lower-case hex without colons (the JWT `sub`) */
  sub: string;
  serial: string | null;
}

export interface AccessDecision<A extends AccessApp = AccessApp> {
  outcome: AccessOutcome;
  /** the compatible two-valued decision: allow for allow, bypass and service_auth */
  decision: "allow" | "deny";
  /** the HTTP status the gateway answers with before proxying (allowed requests: 200, meaning "proxy") */
  status: 200 | 401 | 403 | 404 | 421;
  application: A | null;
  policy: { id: string; name: string; decision: PolicyDecision } | null;
  /** one sentence for the log and the 403 page */
  reason: string;
  /** the policy evaluation (null when no application was evaluated) */
  evaluation: Decision | null;
  /** per policy and rule, when asked for (`trace: true`) */
  trace: PolicyTrace[];
  /** the applications of the hostname and why each matched or not, when asked for */
  considered: AppConsidered[];
  identity: AccessIdentity | null;
  /** set when the client certificate is blocked (./blocked): the block that refused the request */
  blocked?: BlockedCertificate;
}
