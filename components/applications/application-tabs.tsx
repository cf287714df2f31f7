"use client";

import { useCallback, useRef, useState, type KeyboardEvent } from "react";
import type { ApplicationDto } from "@/lib/domain/applications";
import { ApplicationForm } from "./application-form";
import type { LoginMethodOption } from "./login-methods-field";
import { AudTag } from "./aud-tag";
import { DeleteApplicationButton } from "./delete-application-button";
import { PolicyPicker, type PolicyOption } from "./policy-picker";

const TABS = [
  { id: "overview", label: "Overview" },
  { id: "policies", label: "Policies" },
] as const;
type TabId = (typeof TABS)[number]["id"];

/** Configure page: tabs Overview and Policies (WAI-ARIA tabs, arrow keys move between tabs). */
export function ApplicationTabs({
  app,
  options,
  loginMethods,
  canEdit,
  initialTab,
}: {
  app: ApplicationDto;
  options: PolicyOption[];
  /** Settings → Login methods, for the Overview tab's Login methods field */
  loginMethods?: LoginMethodOption[];
  canEdit: boolean;
  initialTab: TabId;
}) {
  const [tab, setTab] = useState<TabId>(initialTab);
  // Both tabs save the same application: they share its version so neither refuses the other's save as stale.
  const [version, setVersion] = useState(app.version);
  const onSaved = useCallback((saved: ApplicationDto) => setVersion(saved.version), []);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});

  function onKey(e: KeyboardEvent<HTMLButtonElement>, index: number) {
    const last = TABS.length - 1;
    const to = e.key === "ArrowRight" ? (index === last ? 0 : index + 1) : e.key === "ArrowLeft" ? (index === 0 ? last : index - 1) : e.key === "Home" ? 0 : e.key === "End" ? last : -1;
    if (to < 0) return;
    e.preventDefault();
    setTab(TABS[to].id);
    refs.current[TABS[to].id]?.focus();
  }

  return (
    <div>
      <div role="tablist" aria-label="Application settings" className="mb-5 flex gap-1 border-b border-slate-200 dark:border-slate-700">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
            onKeyDown={(e) => onKey(e, i)}
            className={
              tab === t.id
                ? "-mb-px border-b-2 border-brand-600 px-3 py-2 text-sm font-semibold text-brand-700 dark:text-brand-100"
                : "-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-slate-600 hover:text-slate-900 dark:text-slate-300"
            }
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="panel-overview" aria-labelledby="tab-overview" hidden={tab !== "overview"} tabIndex={0} className="space-y-6">
        <AudTag aud={app.aud} />
        {canEdit ? (
          <>
            <ApplicationForm application={app} version={version} onSaved={onSaved} loginMethods={loginMethods} />
            <section aria-labelledby="danger-heading" className="max-w-2xl rounded-md border border-red-200 p-4 dark:border-red-900">
              <h2 id="danger-heading" className="text-base font-semibold">
                Delete this application
              </h2>
              <p className="mt-1 mb-3 text-sm text-slate-600 dark:text-slate-400">Its policies stay available for other applications.</p>
              <DeleteApplicationButton id={app.id} name={app.name} />
            </section>
          </>
        ) : (
          <dl className="grid max-w-2xl grid-cols-[10rem_1fr] gap-y-2 text-sm">
            <dt className="font-medium">Application name</dt>
            <dd>{app.name}</dd>
            <dt className="font-medium">Domain</dt>
            <dd>{app.domain}</dd>
            <dt className="font-medium">Session duration</dt>
            <dd>{app.session_duration}</dd>
            <dt className="font-medium">Origin URL</dt>
            <dd>{app.origin_url ?? "—"}</dd>
          </dl>
        )}
      </div>
      <div role="tabpanel" id="panel-policies" aria-labelledby="tab-policies" hidden={tab !== "policies"} tabIndex={0}>
        <PolicyPicker app={app} options={options} version={version} canEdit={canEdit} onSaved={onSaved} />
      </div>
    </div>
  );
}
