"use client";

import Link from "next/link";
import { PolicyForm } from "@/components/policies/policy-form";
import { Badge } from "@/components/ui/badge";
import { Field, Select } from "@/components/ui/field";
import { DECISION_LABELS } from "@/lib/policy";
import { ChosenCard, NothingChosen, SourceChoice, StepFooter, StepFrame } from "./step-frame";
import { useStepChoice } from "./use-step";
import { POLICIES_PATH, type PolicyChoice, type SetupIds, type SetupStep } from "./steps";

type Nav = (step: SetupStep, patch?: SetupIds) => void;

/** Step 3: a Service Auth policy with a Valid Certificate or Common Name rule (the Policies form), or an existing one. */
export function PolicyStep({ policy, policies, canEdit, nav }: { policy: PolicyChoice | null; policies: PolicyChoice[]; canEdit: boolean; nav: Nav }) {
  const { showChosen, source, setSource, picked, setPicked, onSaved, next, change } = useStepChoice({
    key: "policy",
    step: "policy",
    nextStep: "application",
    chosen: !!policy,
    nav,
    noun: "policy",
  });

  return (
    <StepFrame
      number={3}
      title="Create a policy"
      intro={
        <>
          Add an Include rule with <strong>Valid Certificate</strong> (any client certificate that chains to the CA) or <strong>Common Name</strong>{" "}
          (only certificates with that common name, e.g. John Doe). For clients that do not log in through an identity provider, keep the action{" "}
          <strong>Service Auth</strong>.
        </>
      }
    >
      {showChosen && policy ? (
        <ChosenCard title={`Policy: ${policy.name}`} changeLabel="Use a different policy" onChange={canEdit ? change : undefined}>
          <p>
            <Badge>{DECISION_LABELS[policy.decision]}</Badge> {policy.summary}
          </p>
          <p>
            <Link href={`${POLICIES_PATH}/${policy.id}`} className="underline">
              Open on Policies
            </Link>
          </p>
        </ChosenCard>
      ) : !canEdit ? (
        <NothingChosen />
      ) : (
        <>
          <SourceChoice
            name="policy-source"
            legend="Policy"
            value={source}
            onChange={setSource}
            newLabel="Create a new policy"
            existingLabel="Use an existing policy"
            existingCount={policies.length}
          />
          {source === "new" ? (
            <PolicyForm defaultAction="non_identity" onSaved={onSaved} />
          ) : (
            <Field id="setup-existing-policy" label="Choose a policy">
              <Select id="setup-existing-policy" value={picked} onChange={(e) => setPicked(e.target.value)}>
                <option value="">Select…</option>
                {policies.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} ({DECISION_LABELS[p.decision]})
                  </option>
                ))}
              </Select>
            </Field>
          )}
        </>
      )}
      <StepFooter onBack={() => nav("hostnames")} next={canEdit ? next : undefined} />
    </StepFrame>
  );
}
