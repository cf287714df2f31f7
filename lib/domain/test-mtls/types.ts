/** The tester's shapes: its context (one hostname's compiled configuration), its options and its result. */
import type { ForwardingPreset } from "../../access/forwarding-presets";
import type { RevocationSettings } from "../../access/freshness";
import type { LeafInfo, VerifyError } from "../../pki";
import type { Outcome, PolicyDecision } from "../../policy";
import type { AccessOutcome, AccessApp, AppConsidered, HostSnapshot, ServiceTokenVerdict, BlockedCertificate } from "../../access";
import type { ApplicationForGateway } from "../applications";
import type { OriginHeader } from "./origin-headers";

export type StepGroup = "certificate" | "chain" | "validity" | "revocation" | "purpose" | "hostname" | "blocked" | "service_token" | "identity" | "application" | "policy" | "rule";

export interface TestStep {
  id: string;
  group: StepGroup;
  label: string;
  status: "pass" | "fail" | "skip";
  detail: string;
  /** 0 = top-level step; 1 = a rule inside the policy step above it. */
  level: 0 | 1;
  policyId?: string;
}

export interface ChainNode {
  depth: number;
  role: "leaf" | "intermediate" | "root";
  subject: string;
  subjectCN: string | null;
  issuer: string;
  serialNumber: string;
  notAfter: string;
  /** One of the hostname's stored CA certificates (else sent by the client). */
  trusted: boolean;
  /** No validation error at this depth. */
  ok: boolean;
  errors: string[];
}

export interface TestMtlsResult {
  hostname: string;
  /** the URL tested, normalised: `https://host/path?query` */
  url: string;
  /** the normalised path (what the origin would be sent) */
  path: string;
  at: string;
  /** the client IP tested, or null (IP rules then do not match) */
  ip: string | null;
  /** the TLS server name tested, when one was given ("" = none sent); absent: the same as `hostname` */
  sni?: string;
  /** the service token tested as if presented, when one was given */
  service_token?: { id: string; name: string; client_id: string; valid: boolean };
  /** the email tested "as if signed in as", when one was given */
  email?: string;
  application: { id: string; name: string; domain: string; path: string | null } | null;
  /** every application of the hostname and why it was or was not chosen for the path */
  applications_considered: AppConsidered[];
  decision: "allow" | "deny";
  /** what lib/access decides (the gateway's outcome) */
  access_decision: AccessOutcome;
  outcome: Outcome;
  policy: { id: string; name: string; decision: PolicyDecision } | null;
  reason: string;
  certificate: { valid: boolean; errors: VerifyError[]; leaf: LeafInfo | null };
  /** what the origin would be told about the client (null: nothing, e.g. Bypass or no valid certificate) */
  identity: { common_name: string | null; sub: string } | null;
  steps: TestStep[];
  chain: ChainNode[];
  /** the headers the gateway would set on the request to the origin (./origin-headers); null when it is not sent */
  origin_headers: OriginHeader[] | null;
}

export interface HostnameContext {
  hostname: string;
  associated: boolean;
  trustSources: { id: string; name: string; hasCrl: boolean }[];
  snapshot: HostSnapshot<AccessApp<ApplicationForGateway>>;
  anchorFingerprints: ReadonlySet<string>;
  builtAt: Date;
  /** "Client certificate forwarding" and the forwarding presets (absent: neither) */
  forwarding?: { legacy: boolean; presets: readonly ForwardingPreset[] };
}

export interface HostnameConfig {
  hostname: string;
  certificates: { id: string; name: string; pem: string; crlPem: string | null }[];
  /** every application of the hostname (lib/access orders them) */
  applications: ApplicationForGateway[];
  forwarding?: boolean;
  forwardingPresets?: ForwardingPreset[];
  /** every blocked certificate (lib/access/blocked) */
  blocked?: BlockedCertificate[];
  /** the hostname's out-of-date CRL choice and OCSP setting (default: block, no OCSP) */
  revocation?: RevocationSettings;
}

export interface EvaluateOptions {
  at?: Date;
  /** the request target (path and query; default "/"), normalised here as the gateway does */
  path?: string;
  /** the client IP (default none) */
  ip?: string;
  /** the URL shown in the result (default https://hostname + the normalised target) */
  url?: string;
  /** the TLS server name and its context (null: no SNI, or a name nothing is configured for); absent: `ctx`'s own */
  sni?: { name: string; ctx: HostnameContext | null };
  /** a service token's credentials as if presented, judged at `at` (lib/access `serviceTokenVerdict`) */
  serviceToken?: ServiceTokenVerdict;
  /** decide as if signed in at the gateway as this email (lower-cased) */
  email?: string;
}
