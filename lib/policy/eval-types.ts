/** Types for policy evaluation (see evaluate.ts). */
import type { GatewayCapability, Rule, Selector } from "./rules";
import type { PolicyDecision } from "./schema";

export interface PolicyForEval {
  id: string;
  name: string;
  decision: PolicyDecision;
  include: readonly Rule[];
  require?: readonly Rule[];
  exclude?: readonly Rule[];
  precedence: number;
}

export interface CertificateContext {
  presented: boolean;
  valid: boolean;
  commonName?: string | null;
  /** why the certificate is invalid, e.g. "certificate has expired" */
  reason?: string;
}

export interface RequestContext {
  hostname: string;
  path?: string;
  ip?: string;
  email?: string;
  serviceTokenId?: string;
  certificate?: CertificateContext;
  /** the hostname is an associated hostname of some mTLS certificate */
  hostnameAssociated: boolean;
}

export type RuleKind = "include" | "require" | "exclude";
export type Outcome = "allow" | "block" | "bypass" | "service_auth" | "default_deny";

export interface RuleTrace {
  kind: RuleKind;
  index: number;
  selector: Selector;
  label: string;
  value?: string;
  matched: boolean;
  reason: string;
}

export interface PolicyTrace {
  policyId: string;
  name: string;
  decision: PolicyDecision;
  /** 1-based position in evaluation order */
  order: number;
  evaluated: boolean;
  matched: boolean;
  reason: string;
  rules: RuleTrace[];
}

export interface Decision {
  decision: "allow" | "deny";
  outcome: Outcome;
  policy: { id: string; name: string; decision: PolicyDecision } | null;
  /** one sentence, e.g. `Allowed by Service Auth policy "mTLS devices"` */
  reason: string;
  trace: PolicyTrace[];
}

export interface EvaluateOptions {
  /** build the per-policy, per-rule trace (default true); false is the fast path for the gateway */
  trace?: boolean;
}

export interface CompileOptions {
  /**
   * What the gateway can establish about a request (default: GATEWAY_CAPABILITIES, what it enforces today).
   * Selectors needing anything else never match.
   */
  capabilities?: readonly GatewayCapability[];
}

export interface PolicyEvaluator {
  /** policies in evaluation order */
  readonly ordered: readonly PolicyForEval[];
  evaluate(ctx: RequestContext, options?: EvaluateOptions): Decision;
}
