"use client";

import { useState, useTransition } from "react";
import { FORWARDING_PRESETS, PRESET_INFO, type ForwardingPreset } from "@/lib/access/forwarding-presets";
import { updateHostnameSettingAction } from "@/lib/actions/certificates";
import { StrictSetting } from "./strict-setting";

export interface HostnameSetting {
  hostname: string;
  client_certificate_forwarding: boolean;
  china_network: boolean;
  forwarding_presets: ForwardingPreset[];
}

type Key = "client_certificate_forwarding" | "china_network";
const SWITCHES: { key: Key; label: string; help: string }[] = [
  {
    key: "client_certificate_forwarding",
    label: "Client certificate forwarding",
    help: "Forward the client certificate to the origin (Cf-Client-Cert-Der-Base64 and Cf-Client-Cert-Sha256 headers).",
  },
  { key: "china_network", label: "China network", help: "Serve this hostname from the China network as well." },
];

function Switch({ checked, label, describedBy, disabled, onToggle }: { checked: boolean; label: string; describedBy: string; disabled: boolean; onToggle: () => void }) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      aria-describedby={describedBy}
      disabled={disabled}
      onClick={onToggle}
      className="group inline-flex items-center gap-3 rounded-md text-left text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500 disabled:cursor-not-allowed disabled:opacity-60"
    >
      <span aria-hidden className={`relative inline-flex h-5 w-9 shrink-0 rounded-full transition-colors ${checked ? "bg-brand-600" : "bg-slate-300 dark:bg-slate-600"}`}>
        <span className={`absolute top-0.5 h-4 w-4 rounded-full bg-white shadow transition-transform ${checked ? "translate-x-4" : "translate-x-0.5"}`} />
      </span>
      <span className="font-medium">{label}</span>
      <span aria-hidden className="text-xs text-slate-500 dark:text-slate-400">{checked ? "On" : "Off"}</span>
    </button>
  );
}

function HostnameRow({ initial, canEdit, strict }: { initial: HostnameSetting; canEdit: boolean; strict: boolean }) {
  const [setting, setSetting] = useState(initial);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  const headingId = `hs-${initial.hostname.replace(/[^a-z0-9]/g, "-")}`;
  const save = (next: HostnameSetting) => {
    setSetting(next);
    start(async () => {
      const r = await updateHostnameSettingAction(next);
      if (!r.ok) setSetting(setting);
      setMessage({ ok: r.ok, text: r.message ?? "" });
    });
  };
  const toggle = (key: Key) => save({ ...setting, [key]: !setting[key] });
  const togglePreset = (p: ForwardingPreset) => {
    const on = setting.forwarding_presets.includes(p);
    save({ ...setting, forwarding_presets: FORWARDING_PRESETS.filter((x) => (x === p ? !on : setting.forwarding_presets.includes(x))) });
  };
  return (
    <div role="group" aria-labelledby={headingId} className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
      <h3 id={headingId} className="font-mono text-sm font-semibold">
        {setting.hostname}
      </h3>
      <div className="mt-2 space-y-2">
        {SWITCHES.map((s) => (
          <div key={s.key}>
            <Switch checked={setting[s.key]} label={s.label} describedBy={`${headingId}-${s.key}`} disabled={!canEdit || pending} onToggle={() => toggle(s.key)} />
            <p id={`${headingId}-${s.key}`} className="ml-12 text-xs text-slate-500 dark:text-slate-400">
              {s.help}
            </p>
          </div>
        ))}
      </div>
      <fieldset className="mt-3">
        <legend className="text-sm font-medium">Forwarding presets</legend>
        <div className="mt-1 space-y-1">
          {FORWARDING_PRESETS.map((p) => (
            <div key={p}>
              <label className="inline-flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={setting.forwarding_presets.includes(p)}
                  disabled={!canEdit || pending}
                  aria-describedby={`${headingId}-${p}`}
                  onChange={() => togglePreset(p)}
                  className="h-4 w-4 rounded border-slate-400"
                />
                {PRESET_INFO[p].label}
              </label>
              <p id={`${headingId}-${p}`} className="ml-6 text-xs text-slate-500 dark:text-slate-400">
                {PRESET_INFO[p].help}
              </p>
            </div>
          ))}
        </div>
      </fieldset>
      <StrictSetting hostname={setting.hostname} initial={strict} canEdit={canEdit} idPrefix={headingId} report={setMessage} />
      <p role={message && !message.ok ? "alert" : "status"} className={`mt-1 text-xs ${message?.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700"}`}>
        {message?.text ?? ""}
      </p>
    </div>
  );
}

/** Per-hostname switches (Cloudflare's certificate settings); each toggle is saved at once. `strict`: hostnames with Strict on. */
export function HostnameSettingsRows({ settings, canEdit, strict }: { settings: HostnameSetting[]; canEdit: boolean; strict: string[] }) {
  return (
    <section aria-labelledby="hostname-settings-heading" className="space-y-3">
      <h2 id="hostname-settings-heading" className="text-lg font-semibold">
        Hostname settings
      </h2>
      {settings.length ? (
        <div className="grid gap-3 md:grid-cols-2">
          {settings.map((s) => (
            <HostnameRow key={s.hostname} initial={s} canEdit={canEdit} strict={strict.includes(s.hostname)} />
          ))}
        </div>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">Add an associated hostname and save to configure its settings.</p>
      )}
    </section>
  );
}
