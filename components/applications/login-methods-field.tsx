"use client";

import Link from "next/link";
import { FieldErrors } from "../ui/field";

export interface LoginMethodOption {
  id: string;
  name: string;
}

/**
 * Which login methods an application offers at the gateway (Cloudflare's allowed_idps): the checkbox **Accept all
 * login methods** (the default), or, unchecked, one checkbox per login method named by it.
 */
export function LoginMethodsField({
  idPrefix,
  options,
  acceptAll,
  selected,
  onChange,
  errors,
}: {
  idPrefix: string;
  options: LoginMethodOption[];
  acceptAll: boolean;
  selected: string[];
  onChange: (next: { acceptAll: boolean; selected: string[] }) => void;
  errors?: string[];
}) {
  const errorId = `${idPrefix}-login-methods`;
  return (
    <fieldset className="space-y-2" aria-describedby={errors?.length ? `${errorId}-error` : undefined}>
      <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Login methods</legend>
      {options.length === 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          No login methods yet (<Link href="/settings" className="underline">Settings → Login methods</Link>): Emails and Emails ending in rules
          cannot match until one is added.
        </p>
      ) : (
        <>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={acceptAll} onChange={(e) => onChange({ acceptAll: e.target.checked, selected })} />
            Accept all login methods
          </label>
          {!acceptAll ? (
            <ul className="ml-6 space-y-1">
              {options.map((o) => (
                <li key={o.id}>
                  <label className="flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      checked={selected.includes(o.id)}
                      onChange={(e) => onChange({ acceptAll, selected: e.target.checked ? [...selected, o.id] : selected.filter((s) => s !== o.id) })}
                    />
                    {o.name}
                  </label>
                </li>
              ))}
            </ul>
          ) : null}
          <p className="text-xs text-slate-500 dark:text-slate-400">Where people sign in at the gateway when this application&apos;s policies need an email.</p>
        </>
      )}
      <FieldErrors id={errorId} errors={errors} />
    </fieldset>
  );
}
