import type { ReactNode } from "react";
import type { TestMtlsInitial } from "@/components/test-mtls/test-form";
import { Badge } from "@/components/ui/badge";
import { Notice } from "@/components/ui/notice";
import { explainAccessLogEntry, type DecisionSummary, type ExplainView } from "@/lib/domain/access-log/explain";

const time = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, " UTC");
const verdict = (d: "allow" | "deny") => (d === "allow" ? "Allowed" : "Blocked");
const byPolicy = (s: DecisionSummary) => (s.policyName ? `by policy “${s.policyName}”` : "by no policy");

/** An access-log row explained: the decision logged then, next to the decision the same request gets today. */
export function ExplainComparison({ view }: { view: ExplainView }) {
  const { logged, today, prefill } = view;
  const changed = today.ok && today.decision !== logged.decision;
  return (
    <section aria-labelledby="explain-heading" className="mb-6 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 id="explain-heading" className="text-base font-semibold">
        Logged request
      </h2>
      <p className="mt-1 font-mono text-sm break-all">{prefill.url}</p>
      {view.entry.path === null ? (
        <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          The path of this request was not logged (its request target was refused, or it was logged before paths were kept), so the URL uses /.
        </p>
      ) : null}
      <dl className="mt-3 grid gap-3 text-sm sm:grid-cols-2">
        <div>
          <dt className="font-medium">Logged decision</dt>
          <dd className="mt-1">
            <Badge tone={logged.decision === "allow" ? "green" : "red"}>{verdict(logged.decision)}</Badge>{" "}
            {`at ${time(logged.at)} ${byPolicy(logged)}`}
            {view.entry.requests > 1 ? `, for ${view.entry.requests.toLocaleString("en-US")} identical requests within that second` : ""}
            {logged.applicationName ? ` (application ${logged.applicationName})` : ""}
            {logged.reason ? <div className="mt-1 text-xs text-slate-600 dark:text-slate-400">{logged.reason}</div> : null}
          </dd>
        </div>
        <div>
          <dt className="font-medium">Today</dt>
          <dd className="mt-1">
            {today.ok ? (
              <>
                <Badge tone={today.decision === "allow" ? "green" : "red"}>{verdict(today.decision)}</Badge> {byPolicy(today)}
                {today.applicationName ? ` (application ${today.applicationName})` : ""}
                {today.reason ? <div className="mt-1 text-xs text-slate-600 dark:text-slate-400">{today.reason}</div> : null}
              </>
            ) : (
              today.message
            )}
          </dd>
        </div>
      </dl>
      {today.ok ? (
        <Notice tone={changed ? "warning" : "info"} className="mt-3">
          {changed
            ? "The decision has changed since this request was logged (configuration, revocation or validity)."
            : "Today's decision is the same as the one logged."}{" "}
          The form below holds this request; press Test to see each step of today&apos;s decision.
        </Notice>
      ) : null}
    </section>
  );
}

/**
 * For the Test mTLS page's `?explain=<access-log row id>`: the comparison panel (or why the row cannot be explained)
 * and the form's prefill; nothing when the parameter is absent.
 */
export async function loadExplain(param: string | string[] | undefined): Promise<{ panel: ReactNode; initial?: TestMtlsInitial }> {
  if (param === undefined) return { panel: null };
  const r = await explainAccessLogEntry(Array.isArray(param) ? param[0] : param);
  if (!r.ok) {
    return {
      panel: (
        <Notice tone="error" className="mb-4">
          {r.error.message}
        </Notice>
      ),
    };
  }
  return { panel: <ExplainComparison view={r.value} />, initial: r.value.prefill };
}
