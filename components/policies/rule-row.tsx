"use client";

import { SELECTOR_INFO, SELECTORS, ruleNotice, selectorTakesValue, validateRuleValue, type PolicyDecision, type Rule, type Selector } from "@/lib/policy";
import { Button } from "../ui/button";
import { describedBy, FieldErrors, Input, Select } from "../ui/field";

export type RuleKind = "include" | "require" | "exclude";
export interface RuleRowState {
  key: string;
  selector: Selector;
  value: string;
}

export const KIND_LABEL: Record<RuleKind, string> = { include: "Include", require: "Require", exclude: "Exclude" };

/** A rule row → Cloudflare rule JSON (values are normalised by the server). */
export function rowToRule(row: RuleRowState): Rule {
  const field = SELECTOR_INFO[row.selector].field;
  return (field === null ? { [row.selector]: {} } : { [row.selector]: { [field]: row.value } }) as Rule;
}

export function rowError(row: RuleRowState): string | null {
  return validateRuleValue(row.selector, selectorTakesValue(row.selector) ? row.value : undefined);
}

/**
 * One rule: its own `group` ("Include rule 1") so rows sharing the labels Selector/Value can be scoped. A selector
 * the gateway cannot enforce yet stays selectable (Cloudflare-compatible configurations use them) but gets a note
 * in the row, described by the Selector, as soon as it is chosen.
 */
export function RuleRow({
  kind,
  index,
  row,
  decision = "allow",
  showErrors,
  disabled,
  onChange,
  onRemove,
}: {
  kind: RuleKind;
  index: number;
  row: RuleRowState;
  /** the policy's Action: identity rules are never evaluated in Bypass / Service Auth policies */
  decision?: PolicyDecision;
  showErrors: boolean;
  disabled?: boolean;
  onChange: (row: RuleRowState) => void;
  onRemove: () => void;
}) {
  const base = `${kind}-${row.key}`;
  const info = SELECTOR_INFO[row.selector];
  const takesValue = selectorTakesValue(row.selector);
  // Live once something is typed (so the message is there before Save is pressed); empty values after Save.
  const error = showErrors || row.value.trim() !== "" ? rowError(row) : null;
  const errors = error ? [error] : undefined;
  const label = `${KIND_LABEL[kind]} rule ${index + 1}`;
  const notice = ruleNotice(row.selector, kind, decision);
  const noticeId = `${base}-enforcement`;
  return (
    <div role="group" aria-label={label} className="grid grid-cols-1 items-start gap-3 rounded-md border border-slate-200 p-3 sm:grid-cols-[14rem_1fr_auto] dark:border-slate-700">
      <div className="space-y-1">
        <label htmlFor={`${base}-selector`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
          Selector
        </label>
        <Select
          id={`${base}-selector`}
          value={row.selector}
          disabled={disabled}
          aria-describedby={notice ? noticeId : undefined}
          onChange={(e) => onChange({ ...row, selector: e.target.value as Selector })}
        >
          {SELECTORS.map((s) => (
            <option key={s} value={s}>
              {SELECTOR_INFO[s].label}
            </option>
          ))}
        </Select>
      </div>
      <div className="space-y-1">
        {takesValue ? (
          <>
            <label htmlFor={`${base}-value`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
              Value
            </label>
            <Input
              id={`${base}-value`}
              value={row.value}
              placeholder={info.placeholder}
              disabled={disabled}
              aria-invalid={!!error}
              aria-describedby={describedBy(`${base}-value`, { hint: true, errors })}
              onChange={(e) => onChange({ ...row, value: e.target.value })}
            />
            <p id={`${base}-value-hint`} className="text-xs text-slate-500 dark:text-slate-400">
              {info.description}
            </p>
            <FieldErrors id={`${base}-value`} errors={errors} />
          </>
        ) : (
          <p className="pt-6 text-xs text-slate-500 dark:text-slate-400">{info.description}</p>
        )}
      </div>
      <div className="sm:pt-5">
        <Button variant="secondary" size="sm" onClick={onRemove} disabled={disabled}>
          Remove rule
        </Button>
      </div>
      <div aria-live="polite" className="empty:hidden sm:col-span-3">
        {notice ? (
          <p id={noticeId} role="note" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
            {notice}
          </p>
        ) : null}
      </div>
    </div>
  );
}
