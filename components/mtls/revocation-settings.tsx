"use client";

import { useState, useTransition } from "react";
import { saveRevocationSettingAction } from "@/lib/actions/revocation";
import type { RevocationSettingDto } from "@/lib/domain/hostnames/revocation";

/** One hostname's revocation choices, each saved at once. */
function HostRevocation({ initial, canEdit }: { initial: RevocationSettingDto; canEdit: boolean }) {
  const [setting, setSetting] = useState(initial);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const base = `rev-${initial.hostname.replace(/[^a-z0-9]/g, "-")}`;
  const save = (next: RevocationSettingDto) => {
    const before = setting;
    setSetting(next);
    start(async () => {
      const r = await saveRevocationSettingAction(next);
      if (!r.ok) setSetting(before);
      setMessage({ ok: r.ok, text: r.message ?? "" });
    });
  };
  return (
    <section aria-labelledby={`${base}-h`} className="rounded-lg border border-slate-200 p-4 dark:border-slate-800">
      <h3 id={`${base}-h`} className="font-mono text-sm font-semibold">
        Revocation checking for {initial.hostname}
      </h3>
      <div className="mt-3 space-y-3 text-sm">
        <div>
          <label htmlFor={`${base}-mode`} className="block font-medium">
            When a CRL is out of date
          </label>
          <select
            id={`${base}-mode`}
            value={setting.crl_stale_mode}
            disabled={!canEdit || pending}
            aria-describedby={`${base}-mode-help`}
            onChange={(e) => save({ ...setting, crl_stale_mode: e.target.value === "allow" ? "allow" : "block" })}
            className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="block">Block</option>
            <option value="allow">Allow and alert</option>
          </select>
          <p id={`${base}-mode-help`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
            Block refuses clients of a CA whose CRL is past its next update (or whose OCSP responder gives no answer). Allow and alert
            lets them in and says so in the access log and the alerts.
          </p>
        </div>
        <div>
          <label className="inline-flex items-center gap-2 font-medium">
            <input
              type="checkbox"
              checked={setting.ocsp}
              disabled={!canEdit || pending}
              aria-describedby={`${base}-ocsp-help`}
              onChange={() => save({ ...setting, ocsp: !setting.ocsp })}
              className="h-4 w-4 rounded border-slate-400"
            />
            Check OCSP
          </label>
          <p id={`${base}-ocsp-help`} className="ml-6 text-xs text-slate-600 dark:text-slate-400">
            Also ask the OCSP responder named in the client certificate (Authority Information Access). Answers are cached until their next
            update, at most an hour.
          </p>
        </div>
        <p role={message && !message.ok ? "alert" : "status"} className={`text-xs ${message?.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700"}`}>
          {message?.text ?? ""}
        </p>
      </div>
    </section>
  );
}

/** The Configure page's "Revocation checking" section: per associated hostname. */
export function RevocationSettings({ settings, canEdit }: { settings: RevocationSettingDto[]; canEdit: boolean }) {
  return (
    <section aria-labelledby="revocation-heading" className="space-y-4">
      <h2 id="revocation-heading" className="text-lg font-semibold">
        Revocation checking
      </h2>
      {settings.length ? (
        <div className="grid gap-4 md:grid-cols-2">
          {settings.map((s) => (
            <HostRevocation key={s.hostname} initial={s} canEdit={canEdit} />
          ))}
        </div>
      ) : (
        <p className="text-sm">Associate a hostname to choose how its client certificates are checked for revocation.</p>
      )}
    </section>
  );
}
