"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { updateCertificateAction } from "@/lib/actions/certificates";
import { HostnameInput } from "@/components/mtls/hostname-input";
import { describedBy, Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { StepFooter, StepFrame } from "./step-frame";
import { MTLS_PATH, type CertChoice, type SetupIds, type SetupStep } from "./steps";
import { useStepAction } from "./use-step";

type Nav = (step: SetupStep, patch?: SetupIds) => void;

const EMPTY = "Add at least one hostname: the application you protect must use an associated hostname of this certificate.";

/**
 * Step 2: the certificate's Associated hostnames, with the same chip input and the same update action as the
 * certificate's Configure page. Continue saves (when changed) and moves on.
 */
export function HostnamesStep({ cert, canEdit, nav }: { cert: CertChoice; canEdit: boolean; nav: Nav }) {
  const [hostnames, setHostnames] = useState(cert.hostnames);
  const [localError, setLocalError] = useState<string | null>(null);
  const [state, action, pending] = useStepAction(updateCertificateAction, () => nav("policy"));

  const unchanged = hostnames.length === cert.hostnames.length && hostnames.every((h, i) => h === cert.hostnames[i]);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    if (!hostnames.length) {
      e.preventDefault();
      setLocalError(EMPTY);
    } else if (unchanged) {
      e.preventDefault();
      nav("policy");
    } else setLocalError(null);
  };
  const fe = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const errors = localError ? [localError] : fe.associated_hostnames;
  const id = "setup-hostnames";

  return (
    <StepFrame
      number={2}
      title="Associated hostnames"
      intro={
        <>
          Enter the fully-qualified domain names that will use <strong>{cert.name}</strong>. They are the hostnames of the applications the policy
          protects: the application must use one of them.
        </>
      }
    >
      {!canEdit ? (
        <>
          <p className="text-sm">
            Associated hostnames: {cert.hostnames.length ? <span className="font-mono text-xs">{cert.hostnames.join(", ")}</span> : "none"} ·{" "}
            <Link href={`${MTLS_PATH}/${cert.id}`} className="underline">
              Open on Mutual TLS
            </Link>
          </p>
        </>
      ) : (
        <form id="setup-hostnames-form" action={action} onSubmit={onSubmit} noValidate className="max-w-2xl space-y-4">
          <input type="hidden" name="id" value={cert.id} />
          <input type="hidden" name="version" value={cert.version} />
          <input type="hidden" name="name" value={cert.name} />
          {state && !state.ok ? <Notice tone="error">{state.message}</Notice> : null}
          <Field id={id} label="Associated hostnames" hint="Press Enter or type a comma to add a hostname; paste a list to add many." errors={errors}>
            <HostnameInput id={id} defaultValue={cert.hostnames} onChange={setHostnames} errors={errors} describedBy={describedBy(id, { hint: true, errors })} />
          </Field>
        </form>
      )}
      <StepFooter
        onBack={() => nav("certificate")}
        next={canEdit ? { type: "submit", form: "setup-hostnames-form", pending, hint: unchanged ? undefined : "Continue saves the hostnames." } : undefined}
      />
    </StepFrame>
  );
}
