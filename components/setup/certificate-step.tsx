"use client";

import Link from "next/link";
import { CertificateForm } from "@/components/mtls/certificate-form";
import { Field, Select } from "@/components/ui/field";
import { ChosenCard, NothingChosen, SourceChoice, StepFooter, StepFrame } from "./step-frame";
import { useStepChoice } from "./use-step";
import { MTLS_PATH, type CertChoice, type SetupIds, type SetupStep } from "./steps";

type Nav = (step: SetupStep, patch?: SetupIds) => void;

/** Step 1: add the CA chain with the Mutual TLS Add form (same component and server action), or pick one. */
export function CertificateStep({ cert, certificates, canEdit, nav }: { cert: CertChoice | null; certificates: CertChoice[]; canEdit: boolean; nav: Nav }) {
  const { showChosen, source, setSource, picked, setPicked, onSaved, next, change } = useStepChoice({
    key: "certificate",
    step: "certificate",
    nextStep: "hostnames",
    chosen: !!cert,
    nav,
    noun: "certificate",
  });

  return (
    <StepFrame
      number={1}
      title="Add mTLS Certificate"
      intro={
        <>
          Enter any name for the root CA and paste its certificate. If client certificates are signed by an intermediate, paste the whole CA chain:
          the intermediate first, then the root. Do not include SSL/TLS server certificates or private keys.
        </>
      }
    >
      {showChosen && cert ? (
        <ChosenCard title={`Certificate: ${cert.name}`} changeLabel="Use a different certificate" onChange={canEdit ? change : undefined}>
          <p>
            Associated hostnames:{" "}
            {cert.hostnames.length ? <span className="font-mono text-xs">{cert.hostnames.join(", ")}</span> : "none yet (next step)"}
          </p>
          <p>
            Expires {cert.expires_on.slice(0, 10)} ·{" "}
            <Link href={`${MTLS_PATH}/${cert.id}`} className="underline">
              Open on Mutual TLS
            </Link>
          </p>
        </ChosenCard>
      ) : !canEdit ? (
        <NothingChosen />
      ) : (
        <>
          <SourceChoice
            name="certificate-source"
            legend="Certificate"
            value={source}
            onChange={setSource}
            newLabel="Add a new certificate"
            existingLabel="Use an existing certificate"
            existingCount={certificates.length}
          />
          {source === "new" ? (
            <CertificateForm idPrefix="setup-certificate" onSaved={onSaved} />
          ) : (
            <Field id="setup-existing-certificate" label="Choose a certificate">
              <Select id="setup-existing-certificate" value={picked} onChange={(e) => setPicked(e.target.value)}>
                <option value="">Select…</option>
                {certificates.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                    {c.hostnames.length ? ` (${c.hostnames.join(", ")})` : ""}
                  </option>
                ))}
              </Select>
            </Field>
          )}
        </>
      )}
      <StepFooter next={canEdit ? next : undefined} />
    </StepFrame>
  );
}
