import Link from "next/link";
import type { TestMtlsResult, TestStep } from "@/lib/domain/test-mtls";
import { cn } from "@/components/ui/cn";
import { ChainDiagram } from "./chain-diagram";

const DECISION_LABEL = { allow: "Allow", deny: "Block", non_identity: "Service Auth", bypass: "Bypass" } as const;

/** What the gateway would do with the request (the tester's `access_decision`). */
const ACCESS_LABEL: Record<TestMtlsResult["access_decision"], string> = {
  allow: "Allow: passed to the origin",
  block: "Block: 403 Forbidden",
  bypass: "Bypass: passed to the origin without checks",
  service_auth: "Service Auth: passed to the origin",
  no_application: "No application: 403 Forbidden",
  misdirected: "Misdirected: 421 Misdirected Request",
  unauthenticated: "Service token refused: 401 Unauthorized",
  sign_in: "Sign-in required: the login page (401 for API clients)",
};

/** An application's domain with its path, as admins type it (`app.example.com/admin`). */
const withPath = (a: { domain: string; path: string | null }) => (a.path && !a.domain.endsWith(a.path) ? `${a.domain}${a.path}` : a.domain);

/** Every application on the URL's hostname, the one that matched first, and why each did or did not. */
function ConsideredApplications({ items }: { items: TestMtlsResult["applications_considered"] }) {
  return (
    <div>
      <h3 id="tm-considered" className="text-sm font-semibold">
        Applications considered
      </h3>
      {items.length ? (
        <table aria-labelledby="tm-considered" className="mt-1 w-full text-left text-sm">
          <thead>
            <tr className="text-xs text-slate-500 dark:text-slate-400">
              <th scope="col" className="py-1 pr-3 font-medium">Application</th>
              <th scope="col" className="py-1 pr-3 font-medium">Domain and path</th>
              <th scope="col" className="py-1 pr-3 font-medium">Matched</th>
              <th scope="col" className="py-1 font-medium">Why</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id} className={cn("border-t border-slate-100 dark:border-slate-800", c.matched && "font-medium")}>
                <td className="py-1 pr-3">{c.name}</td>
                <td className="py-1 pr-3 font-mono text-xs break-all">{c.domain}</td>
                <td className="py-1 pr-3">{c.matched ? "Matched" : "Not matched"}</td>
                <td className="py-1 text-slate-600 dark:text-slate-400">{c.why}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">No application is configured on this hostname.</p>
      )}
    </div>
  );
}

function StepMark({ status }: { status: TestStep["status"] }) {
  const look = {
    pass: ["✓", "text-emerald-600 dark:text-emerald-400", "pass"],
    fail: ["✗", "text-red-600 dark:text-red-400", "fail"],
    skip: ["–", "text-slate-400", "not evaluated"],
  }[status];
  return (
    <span className={cn("inline-block w-5 shrink-0 text-center font-bold", look[1])}>
      <span aria-hidden="true">{look[0]}</span>
      <span className="sr-only">{look[2]}</span>
    </span>
  );
}

/** What the gateway sets on the request to the origin (the hostname's forwarding settings included), exactly. */
function OriginHeaders({ headers }: { headers: NonNullable<TestMtlsResult["origin_headers"]> }) {
  return (
    <div>
      <h3 id="tm-origin-headers" className="text-sm font-semibold">
        Headers sent to the origin
      </h3>
      <div className="mt-1 overflow-x-auto">
        <table aria-labelledby="tm-origin-headers" className="w-full text-left text-sm">
          <thead>
            <tr className="text-xs text-slate-600 dark:text-slate-400">
              <th scope="col" className="py-1 pr-3 font-medium">Header</th>
              <th scope="col" className="py-1 font-medium">Value</th>
            </tr>
          </thead>
          <tbody>
            {headers.map((h) => (
              <tr key={h.name} className="border-t border-slate-100 align-top dark:border-slate-800">
                <td className="py-1 pr-3 font-mono text-xs whitespace-nowrap">{h.name}</td>
                <td className="py-1 font-mono text-xs break-all">{h.value === "" ? <span className="text-slate-600 dark:text-slate-400">(empty)</span> : h.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The verdict, the deciding policy, the certificate errors, the chain and every evaluation step. */
export function TestResult({ result: r }: { result: TestMtlsResult }) {
  const allowed = r.decision === "allow";
  return (
    <section role="region" aria-labelledby="tm-result-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h2 id="tm-result-heading" className="text-lg font-semibold">
        Result
      </h2>
      <div className={cn("rounded-md border-2 px-4 py-3", allowed ? "border-emerald-500 bg-emerald-50 dark:bg-emerald-950" : "border-red-500 bg-red-50 dark:bg-red-950")}>
        <p className={cn("text-3xl font-bold", allowed ? "text-emerald-700 dark:text-emerald-300" : "text-red-700 dark:text-red-300")}>{allowed ? "Allowed" : "Blocked"}</p>
        <p className="mt-1 text-sm">{r.reason}</p>
      </div>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium">URL</dt>
        <dd className="break-all">{r.url}</dd>
        <dt className="font-medium">Hostname</dt>
        <dd>{r.hostname}</dd>
        <dt className="font-medium">Application</dt>
        <dd>
          {r.application ? (
            <>
              <Link className="text-brand-700 underline dark:text-brand-300" href={`/access-controls/applications/${r.application.id}`}>
                {r.application.name}
              </Link>{" "}
              <span className="font-mono text-xs">({withPath(r.application)})</span>
            </>
          ) : (
            "None"
          )}
        </dd>
        <dt className="font-medium">Gateway</dt>
        <dd>{ACCESS_LABEL[r.access_decision]}</dd>
        <dt className="font-medium">Deciding policy</dt>
        <dd>
          {r.policy ? (
            <>
              <Link className="text-brand-700 underline dark:text-brand-300" href={`/access-controls/policies/${r.policy.id}`}>
                {r.policy.name}
              </Link>{" "}
              ({DECISION_LABEL[r.policy.decision]})
            </>
          ) : (
            "None (denied by default)"
          )}
        </dd>
        <dt className="font-medium">Client certificate</dt>
        <dd>{r.certificate.valid ? "Valid" : "Invalid"}{r.certificate.leaf ? ` (${r.certificate.leaf.subject}, serial ${r.certificate.leaf.serialNumber})` : ""}</dd>
        <dt className="font-medium">Checked at</dt>
        <dd>{r.at}</dd>
      </dl>
      <ConsideredApplications items={r.applications_considered} />
      {r.certificate.errors.length ? (
        <div>
          <h3 id="tm-cert-errors" className="text-sm font-semibold">Certificate errors</h3>
          <ul aria-labelledby="tm-cert-errors" className="mt-1 space-y-1 text-sm">
            {r.certificate.errors.map((e, i) => (
              <li key={i}>
                <strong className="text-red-700 dark:text-red-300">{e.message}</strong> <span className="text-slate-500">(error {e.number} at depth {e.depth})</span>: {e.detail}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {r.chain.length ? <ChainDiagram chain={r.chain} /> : null}
      {r.origin_headers ? <OriginHeaders headers={r.origin_headers} /> : null}
      <div>
        <h3 className="text-sm font-semibold">Steps</h3>
        <ol aria-label="Evaluation steps" className="mt-1 space-y-1 text-sm">
          {r.steps.map((s) => (
            <li key={s.id} className={cn("flex gap-2", s.level === 1 && "ml-6")}>
              <StepMark status={s.status} />
              <span>
                <span className="font-medium">{s.label}</span>
                <span className="text-slate-600 dark:text-slate-400"> — {s.detail}</span>
              </span>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}
