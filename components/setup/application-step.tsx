"use client";

import Link from "next/link";
import { startTransition } from "react";
import { setPoliciesAction } from "@/lib/actions/applications";
import { ApplicationForm } from "@/components/applications/application-form";
import { RefusalNotice } from "@/components/applications/refusal-notice";
import { Button } from "@/components/ui/button";
import { Field, Select } from "@/components/ui/field";
import { ChosenCard, NothingChosen, SourceChoice, StepFooter, StepFrame } from "./step-frame";
import { APPLICATIONS_PATH, type AppChoice, type CertChoice, type PolicyChoice, type SetupIds, type SetupStep } from "./steps";
import { useStepAction, useStepChoice } from "./use-step";

type Nav = (step: SetupStep, patch?: SetupIds) => void;

/**
 * Step 4: bind the policy to an application: a new one (the Applications Add form, created with the policy
 * attached) or an existing one (the policy is added last to its policies with the same action as the
 * Policies tab's Save application). Finish shows the summary.
 */
export function ApplicationStep({
  app,
  applications,
  policy,
  cert,
  canEdit,
  nav,
}: {
  app: AppChoice | null;
  applications: AppChoice[];
  policy: PolicyChoice;
  cert: CertChoice;
  canEdit: boolean;
  nav: Nav;
}) {
  const bound = !!app && app.policyIds.includes(policy.id);
  const { showChosen, source, setSource, picked, setPicked, choose, onSaved, next, change } = useStepChoice({
    key: "application",
    step: "application",
    nextStep: "done",
    chosen: bound,
    nav,
    noun: "application",
    initial: app && !bound ? { source: "existing", picked: app.id } : undefined,
    attachHint: "Attach the policy to finish.",
  });
  const [attachState, attach, attaching] = useStepAction(setPoliciesAction, (_state, payload) => choose(payload.id));
  const pickedApp = applications.find((a) => a.id === picked);

  function attachToPicked() {
    if (!pickedApp) return;
    const policyIds = pickedApp.policyIds.includes(policy.id) ? pickedApp.policyIds : [...pickedApp.policyIds, policy.id];
    startTransition(() => attach({ id: pickedApp.id, policyIds, version: pickedApp.version }));
  }

  return (
    <StepFrame
      number={4}
      title="Bind to an application"
      intro={
        <>
          Add <strong>{policy.name}</strong> to the application you want to protect. Its domain must be one of the certificate&apos;s associated
          hostnames ({cert.hostnames.map((h, i) => (
            <span key={h}>
              {i ? ", " : ""}
              <span className="font-mono text-xs">{h}</span>
            </span>
          ))}
          ).
        </>
      }
    >
      {showChosen && app ? (
        <ChosenCard title={`Application: ${app.name}`} changeLabel="Use a different application" onChange={canEdit ? change : undefined}>
          <p>
            <span className="font-mono text-xs">{app.domain}</span> · uses {policy.name}
            {app.policyIds.length > 1 ? ` and ${app.policyIds.length - 1} other ${app.policyIds.length === 2 ? "policy" : "policies"}` : ""}
          </p>
          <p>
            <Link href={`${APPLICATIONS_PATH}/${app.id}?tab=policies`} className="underline">
              Open on Applications
            </Link>
          </p>
        </ChosenCard>
      ) : !canEdit ? (
        <NothingChosen />
      ) : (
        <>
          <SourceChoice
            name="application-source"
            legend="Application"
            value={source}
            onChange={setSource}
            newLabel="Add a new application"
            existingLabel="Use an existing application"
            existingCount={applications.length}
          />
          {source === "new" ? (
            <ApplicationForm policyIds={[policy.id]} defaultDomain={cert.hostnames[0]} onSaved={onSaved} />
          ) : (
            <div className="max-w-2xl space-y-3">
              {attachState && !attachState.ok ? <RefusalNotice message={attachState.message} kind={attachState.kind} /> : null}
              <Field id="setup-existing-application" label="Choose an application">
                <Select id="setup-existing-application" value={picked} onChange={(e) => setPicked(e.target.value)}>
                  <option value="">Select…</option>
                  {applications.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name} ({a.domain})
                    </option>
                  ))}
                </Select>
              </Field>
              <Button onClick={attachToPicked} disabled={!pickedApp || attaching} aria-disabled={!pickedApp || attaching}>
                {attaching ? "Saving…" : "Attach policy"}
              </Button>
            </div>
          )}
        </>
      )}
      <StepFooter onBack={() => nav("policy")} next={canEdit ? next : undefined} />
    </StepFrame>
  );
}
