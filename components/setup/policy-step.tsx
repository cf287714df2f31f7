"use client";

import Link from "next/link";
import { useCallback, useRef, useState } from "react";
import { PolicyForm } from "@/components/policies/policy-form";
import { Badge } from "@/components/ui/badge";
import { Field, Select } from "@/components/ui/field";
import type { PolicyDto } from "@/lib/domain/policies";
import { DECISION_LABELS } from "@/lib/policy";
import { ChosenCard, NothingChosen, SourceChoice, StepFooter, StepFrame } from "./step-frame";
import { POLICIES_PATH, type PolicyChoice, type SetupIds, type SetupStep } from "./steps";

type Nav = (step: SetupStep, patch?: SetupIds) => void;

/** Step 3: a Service Auth policy with a Valid Certificate or Common Name rule (the Policies form), or an existing one. */
export function PolicyStep({ policy, policies, canEdit, nav }: { policy: PolicyChoice | null; policies: PolicyChoice[]; canEdit: boolean; nav: Nav }) {
  const [changing, setChanging] = useState(false);
  const [source, setSource] = useState<"new" | "existing">("new");
  const [picked, setPicked] = useState("");
  const handled = useRef<string | null>(null);

  // PolicyForm calls onSaved from an effect: keep it stable and act once per saved policy.
  const onSaved = useCallback(
    (dto: PolicyDto) => {
      if (handled.current === dto.id) return;
      handled.current = dto.id;
      setChanging(false);
      nav("policy", { policy: dto.id });
    },
    [nav],
  );

  const showChosen = policy && !changing;
  let next: Parameters<typeof StepFooter>[0]["next"];
  if (showChosen) next = { onClick: () => nav("application") };
  else if (source === "existing") next = { onClick: () => nav("application", { policy: picked }), disabled: !picked, hint: picked ? undefined : "Choose a policy to continue." };
  else next = { disabled: true, hint: "Save the policy to continue." };

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
      {showChosen ? (
        <ChosenCard title={`Policy: ${policy.name}`} changeLabel="Use a different policy" onChange={canEdit ? () => setChanging(true) : undefined}>
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
