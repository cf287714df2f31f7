"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { startTransition, useActionState, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { savePolicyAction } from "@/lib/actions/policies";
import type { PolicyDto } from "@/lib/domain/policies";
import {
  DECISION_LABELS,
  DEFAULT_SESSION_DURATION,
  describePolicy,
  policyWarnings,
  ruleSelector,
  ruleValue,
  validateSessionDuration,
  type PolicyDecision,
  type Rule,
} from "@/lib/policy";
import { Button, buttonClass } from "../ui/button";
import { describedBy, Field, FieldErrors, Input, Select } from "../ui/field";
import { Notice } from "../ui/notice";
import { KIND_LABEL, RuleRow, rowError, rowToRule, type RuleKind, type RuleRowState } from "./rule-row";

const KINDS: RuleKind[] = ["include", "require", "exclude"];
const ACTION_ORDER: PolicyDecision[] = ["allow", "deny", "bypass", "non_identity"];
const KIND_HELP: Record<RuleKind, string> = {
  include: "A request needs to meet only one Include rule.",
  require: "A request must meet every Require rule.",
  exclude: "A request must not meet any Exclude rule.",
};

type Rows = Record<RuleKind, RuleRowState[]>;

let keySeq = 0;
const nextKey = () => `r${++keySeq}`;

/**
 * Add / Edit a reusable policy. With `onSaved` (guided setup) the caller decides what happens next;
 * otherwise a successful save returns to the Policies list. Edits are kept on every refusal.
 */
export function PolicyForm({
  policy,
  onSaved,
  defaultAction = "allow",
}: {
  policy?: PolicyDto;
  onSaved?: (policy: PolicyDto) => void;
  defaultAction?: PolicyDecision;
}) {
  const router = useRouter();
  const [name, setName] = useState(policy?.name ?? "");
  const [decision, setDecision] = useState<PolicyDecision>(policy?.decision ?? defaultAction);
  const [duration, setDuration] = useState(policy?.session_duration ?? DEFAULT_SESSION_DURATION);
  const [rows, setRows] = useState<Rows>(() => {
    const toRows = (list: readonly Rule[] | undefined) =>
      (list ?? []).map((r) => ({ key: nextKey(), selector: ruleSelector(r), value: ruleValue(r) ?? "" }));
    return { include: toRows(policy?.include), require: toRows(policy?.require), exclude: toRows(policy?.exclude) };
  });
  const [submitted, setSubmitted] = useState(false);
  const [localError, setLocalError] = useState<string | null>(null);
  const [state, dispatch, pending] = useActionState(savePolicyAction, null);
  const focusKey = useRef<string | null>(null);

  useEffect(() => {
    if (!state?.ok || !state.data) return;
    if (onSaved) onSaved(state.data);
    else router.push("/access-controls/policies");
  }, [state, onSaved, router]);

  useEffect(() => {
    if (!focusKey.current) return;
    document.getElementById(focusKey.current)?.focus();
    focusKey.current = null;
  }, [rows]);

  const rules = useMemo(
    () => ({ include: rows.include.map(rowToRule), require: rows.require.map(rowToRule), exclude: rows.exclude.map(rowToRule) }),
    [rows],
  );
  const summary = describePolicy({ decision, ...rules });
  const warnings = policyWarnings({ decision, ...rules });
  const incomplete = KINDS.some((k) => rows[k].some((r) => rowError(r) !== null));
  const durationError = submitted ? validateSessionDuration(duration.trim() || DEFAULT_SESSION_DURATION) : null;
  const nameError = submitted && name.trim() === "" ? "Policy name must not be empty" : null;
  const fe = state && !state.ok ? (state.fieldErrors ?? {}) : {};

  function add(kind: RuleKind) {
    const row: RuleRowState = { key: nextKey(), selector: "certificate", value: "" };
    focusKey.current = `${kind}-${row.key}-selector`;
    setRows((r) => ({ ...r, [kind]: [...r[kind], row] }));
  }
  function change(kind: RuleKind, row: RuleRowState) {
    setRows((r) => ({ ...r, [kind]: r[kind].map((x) => (x.key === row.key ? row : x)) }));
  }
  function remove(kind: RuleKind, key: string) {
    setRows((r) => ({ ...r, [kind]: r[kind].filter((x) => x.key !== key) }));
    focusKey.current = `add-${kind}`;
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setSubmitted(true);
    const bad = KINDS.flatMap((k) => rows[k].map((r, i) => ({ k, i, err: rowError(r) }))).find((x) => x.err);
    if (name.trim() === "" || validateSessionDuration(duration.trim() || DEFAULT_SESSION_DURATION)) {
      setLocalError("Check the highlighted fields.");
      return;
    }
    if (rows.include.length === 0) {
      setLocalError("Add at least one Include rule.");
      return;
    }
    if (bad) {
      setLocalError(`${KIND_LABEL[bad.k]} rule ${bad.i + 1}: ${bad.err}`);
      return;
    }
    setLocalError(null);
    const body = { name, decision, session_duration: duration, ...rules, ...(policy ? { version: policy.version } : {}) };
    startTransition(() => dispatch({ id: policy?.id, policy: body }));
  }

  const stale = state && !state.ok && state.kind === "stale";
  return (
    <form onSubmit={submit} noValidate className="space-y-6" aria-label={policy ? `Edit policy ${policy.name}` : "Add a policy"}>
      {localError ? <Notice tone="error">{localError}</Notice> : null}
      {state && !state.ok && !localError ? (
        <Notice tone="error">
          {state.message}
          {stale ? (
            <Button variant="secondary" size="sm" className="ml-3" onClick={() => window.location.reload()}>
              Reload
            </Button>
          ) : null}
        </Notice>
      ) : null}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Field id="policy-name" label="Policy name" errors={nameError ? [nameError] : fe.name}>
          <Input id="policy-name" value={name} maxLength={350} onChange={(e) => setName(e.target.value)} aria-invalid={!!(nameError || fe.name)} aria-describedby={describedBy("policy-name", { errors: nameError ? [nameError] : fe.name })} />
        </Field>
        <Field id="policy-action" label="Action" errors={fe.decision}>
          <Select id="policy-action" value={decision} onChange={(e) => setDecision(e.target.value as PolicyDecision)}>
            {ACTION_ORDER.map((d) => (
              <option key={d} value={d}>
                {DECISION_LABELS[d]}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="policy-session" label="Session duration" hint="Go duration, e.g. 24h, 30m or 1h30m." errors={durationError ? [durationError] : fe.session_duration}>
          <Input id="policy-session" value={duration} onChange={(e) => setDuration(e.target.value)} aria-invalid={!!(durationError || fe.session_duration)} aria-describedby={describedBy("policy-session", { hint: true, errors: durationError ? [durationError] : fe.session_duration })} />
        </Field>
      </div>
      {KINDS.map((kind) => (
        <section key={kind} aria-labelledby={`heading-${kind}`} className="space-y-2">
          <h2 id={`heading-${kind}`} className="text-base font-semibold">
            {KIND_LABEL[kind]}
          </h2>
          <p className="text-xs text-slate-500 dark:text-slate-400">{KIND_HELP[kind]}</p>
          {rows[kind].map((row, i) => (
            <RuleRow key={row.key} kind={kind} index={i} row={row} decision={decision} showErrors={submitted} onChange={(r) => change(kind, r)} onRemove={() => remove(kind, row.key)} />
          ))}
          <FieldErrors id={`rules-${kind}`} errors={fe[kind]} />
          <Button id={`add-${kind}`} variant="secondary" size="sm" onClick={() => add(kind)}>
            {`Add ${kind}`}
          </Button>
        </section>
      ))}
      <section aria-labelledby="policy-summary-heading" className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm dark:border-slate-700 dark:bg-slate-800/50">
        <h2 id="policy-summary-heading" className="font-semibold">
          Summary
        </h2>
        <p aria-live="polite" data-testid="policy-summary">
          {summary}
          {incomplete ? " Rules with a missing or invalid value are left out until they are fixed." : ""}
        </p>
        {warnings.length ? (
          <ul className="mt-2 list-disc space-y-1 pl-5 text-amber-800 dark:text-amber-200">
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
      </section>
      <div className="flex gap-2">
        <Button type="submit" disabled={pending} aria-disabled={pending}>
          {pending ? "Saving…" : "Save"}
        </Button>
        {onSaved ? null : (
          <Link href="/access-controls/policies" className={buttonClass("secondary")}>
            Cancel
          </Link>
        )}
      </div>
    </form>
  );
}
