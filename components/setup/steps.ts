/**
 * Guided mTLS setup: the steps, the URL that holds the wizard's state (step + the ids of the objects chosen so
 * far), and the serialisable shapes the server page hands to the client steps. Pure; shared by both sides.
 */
import type { PolicyDecision } from "@/lib/policy";

export const SETUP_PATH = "/access-controls/mtls-setup";
export const MTLS_PATH = "/access-controls/service-credentials/mutual-tls";
export const POLICIES_PATH = "/access-controls/policies";
export const APPLICATIONS_PATH = "/access-controls/applications";

export type StepKey = "certificate" | "hostnames" | "policy" | "application";
export type SetupStep = StepKey | "done";

export const STEPS: readonly { key: StepKey; label: string; title: string }[] = [
  { key: "certificate", label: "Certificate", title: "Add mTLS Certificate" },
  { key: "hostnames", label: "Hostnames", title: "Associated hostnames" },
  { key: "policy", label: "Policy", title: "Create a policy" },
  { key: "application", label: "Application", title: "Bind to an application" },
];

const ORDER: readonly SetupStep[] = ["certificate", "hostnames", "policy", "application", "done"];

export const stepIndex = (s: SetupStep): number => ORDER.indexOf(s);

export function parseStep(v: string | undefined): SetupStep | null {
  return ORDER.includes(v as SetupStep) ? (v as SetupStep) : null;
}

export function previousStep(s: SetupStep): StepKey | null {
  const i = stepIndex(s);
  return i > 0 ? (ORDER[i - 1] as StepKey) : null;
}

/** Ids of what the walk-through created or picked so far (the server re-reads each object by id). */
export interface SetupIds {
  certificate?: string;
  policy?: string;
  application?: string;
}

export function setupHref(step: SetupStep, ids: SetupIds): string {
  const q = new URLSearchParams({ step });
  for (const k of ["certificate", "policy", "application"] as const) if (ids[k]) q.set(k, ids[k]);
  return `${SETUP_PATH}?${q}`;
}

export interface CertChoice {
  id: string;
  name: string;
  hostnames: string[];
  version: number;
  expires_on: string;
}

export interface PolicyChoice {
  id: string;
  name: string;
  decision: PolicyDecision;
  summary: string;
}

export interface AppChoice {
  id: string;
  name: string;
  domain: string;
  version: number;
  policyIds: string[];
}

/**
 * The step to show: the requested one, unless something it needs is missing (no certificate yet, no associated
 * hostname, no policy, or the application does not use the policy), in which case the first unfinished step.
 */
export function effectiveStep(
  requested: SetupStep | null,
  have: { cert: CertChoice | null; policy: PolicyChoice | null; app: AppChoice | null },
): SetupStep {
  let firstOpen: SetupStep = "done";
  if (!have.cert) firstOpen = "certificate";
  else if (!have.cert.hostnames.length) firstOpen = "hostnames";
  else if (!have.policy) firstOpen = "policy";
  else if (!have.app || !have.app.policyIds.includes(have.policy.id)) firstOpen = "application";
  const want = requested ?? firstOpen;
  return stepIndex(want) <= stepIndex(firstOpen) ? want : firstOpen;
}
