"use client";

import { useState, useTransition } from "react";
import { updateStrictSettingAction } from "@/lib/actions/strict-validation";

/**
 * The **Strict** checkbox of one hostname: like `openssl verify -x509_strict`, saved at once; the outcome goes to the
 * hostname group's one status line (`report`).
 */
export function StrictSetting(props: { hostname: string; initial: boolean; canEdit: boolean; idPrefix: string; report: (m: { ok: boolean; text: string }) => void }) {
  const { hostname, initial, canEdit, idPrefix, report } = props;
  const [strict, setStrict] = useState(initial);
  const [pending, start] = useTransition();
  const helpId = `${idPrefix}-strict`;
  const toggle = () => {
    const next = !strict;
    setStrict(next);
    start(async () => {
      const r = await updateStrictSettingAction({ hostname, strict: next });
      if (!r.ok) setStrict(!next);
      report({ ok: r.ok, text: r.message ?? "" });
    });
  };
  return (
    <div className="mt-3">
      <label className="inline-flex items-center gap-2 text-sm font-medium">
        <input type="checkbox" checked={strict} disabled={!canEdit || pending} aria-describedby={helpId} onChange={toggle} className="h-4 w-4 rounded border-slate-400" />
        Strict
      </label>
      <p id={helpId} className="ml-6 text-xs text-slate-600 dark:text-slate-400">
        Refuse client certificate chains that lack the Authority or Subject Key Identifiers RFC 5280 requires (like
        openssl verify -x509_strict). The certificate inspector shows these as warnings.
      </p>
    </div>
  );
}
