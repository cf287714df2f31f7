"use client";

import { useRouter } from "next/navigation";
import { useCallback } from "react";
import { ApplicationStep } from "./application-step";
import { CertificateStep } from "./certificate-step";
import { HostnamesStep } from "./hostnames-step";
import { PolicyStep } from "./policy-step";
import { setupHref, type AppChoice, type CertChoice, type PolicyChoice, type SetupIds, type SetupStep, type StepKey } from "./steps";

/**
 * The current step of the guided setup. All state lives in the URL (`?step=…&certificate=…&policy=…&application=…`):
 * a reload, a shared link or the browser's Back button resumes exactly there, and the server re-reads every
 * object by id. Each step reuses the standalone pages' form components and server actions.
 */
export function SetupWizard({
  step,
  ids,
  canEdit,
  cert,
  policy,
  app,
  certificates,
  policies,
  applications,
}: {
  step: StepKey;
  ids: SetupIds;
  canEdit: boolean;
  cert: CertChoice | null;
  policy: PolicyChoice | null;
  app: AppChoice | null;
  certificates: CertChoice[];
  policies: PolicyChoice[];
  applications: AppChoice[];
}) {
  const router = useRouter();
  const { certificate: c, policy: p, application: a } = ids;
  const nav = useCallback(
    (to: SetupStep, patch: SetupIds = {}) => {
      router.push(setupHref(to, { certificate: c, policy: p, application: a, ...patch }));
      window.scrollTo({ top: 0 });
    },
    [router, c, p, a],
  );

  switch (step) {
    case "certificate":
      return <CertificateStep key={cert?.id ?? "none"} cert={cert} certificates={certificates} canEdit={canEdit} nav={nav} />;
    case "hostnames":
      return cert ? <HostnamesStep key={`${cert.id}:${cert.version}`} cert={cert} canEdit={canEdit} nav={nav} /> : null;
    case "policy":
      return <PolicyStep key={policy?.id ?? "none"} policy={policy} policies={policies} canEdit={canEdit} nav={nav} />;
    case "application":
      return cert && policy ? (
        <ApplicationStep key={`${policy.id}:${app?.id ?? "none"}`} app={app} applications={applications} policy={policy} cert={cert} canEdit={canEdit} nav={nav} />
      ) : null;
  }
}
