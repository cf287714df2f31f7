import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { DECISION_LABELS } from "@/lib/policy";
import { APPLICATIONS_PATH, MTLS_PATH, POLICIES_PATH, SETUP_PATH, type AppChoice, type CertChoice, type PolicyChoice } from "./steps";
import type { TestCommands } from "./test-commands";

function Command({ label, id, children }: { label: string; id: string; children: string }) {
  return (
    <figure className="space-y-1">
      <figcaption id={id} className="text-sm">
        {label}
      </figcaption>
      {/* Focusable: a long command scrolls sideways, and keyboard users scroll it with the arrow keys. */}
      <pre aria-labelledby={id} tabIndex={0} className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">
        <code>{children}</code>
      </pre>
    </figure>
  );
}

/** The end of the walk-through: what was set up (links to the standalone pages) and how to try it. */
export function SetupSummary({ cert, policy, app, commands }: { cert: CertChoice; policy: PolicyChoice; app: AppChoice & { originUrl: string | null }; commands: TestCommands }) {
  return (
    <div className="space-y-8">
      <section aria-labelledby="setup-done-heading" className="space-y-3">
        <h2 id="setup-done-heading" className="text-lg font-semibold">
          Mutual TLS is set up
        </h2>
        <dl className="grid max-w-3xl grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="font-medium text-slate-600 dark:text-slate-400">mTLS certificate</dt>
          <dd>
            <Link href={`${MTLS_PATH}/${cert.id}`} className="font-medium text-brand-700 underline dark:text-brand-100">
              {cert.name}
            </Link>{" "}
            · expires {cert.expires_on.slice(0, 10)}
          </dd>
          <dt className="font-medium text-slate-600 dark:text-slate-400">Associated hostnames</dt>
          <dd className="font-mono text-xs">{cert.hostnames.join(", ")}</dd>
          <dt className="font-medium text-slate-600 dark:text-slate-400">Policy</dt>
          <dd>
            <Link href={`${POLICIES_PATH}/${policy.id}`} className="font-medium text-brand-700 underline dark:text-brand-100">
              {policy.name}
            </Link>{" "}
            <Badge>{DECISION_LABELS[policy.decision]}</Badge>
            <span className="block text-xs text-slate-600 dark:text-slate-400">{policy.summary}</span>
          </dd>
          <dt className="font-medium text-slate-600 dark:text-slate-400">Application</dt>
          <dd>
            <Link href={`${APPLICATIONS_PATH}/${app.id}?tab=policies`} className="font-medium text-brand-700 underline dark:text-brand-100">
              {app.name}
            </Link>{" "}
            · <span className="font-mono text-xs">{app.domain}</span>
          </dd>
        </dl>
      </section>

      <section aria-labelledby="setup-test-heading" className="max-w-4xl space-y-4">
        <div>
          <h2 id="setup-test-heading" className="text-lg font-semibold">
            Test mTLS
          </h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {commands.gatewayPort
              ? `The enforcement gateway of this instance listens on port ${commands.gatewayPort}. --resolve sends ${commands.host} to it without a DNS record; -k accepts its server certificate if it is self-signed.`
              : "Point the hostname at your enforcement gateway (this instance runs one when started with GATEWAY_PORT set), then:"}
          </p>
        </div>
        <Command id="cmd-without" label="1. Without a client certificate the request is refused (403 Forbidden):">
          {commands.withoutCertificate}
        </Command>
        <Command
          id="cmd-with"
          label={`2. With the client certificate and its key it is let in${app.originUrl ? ` and forwarded to ${app.originUrl}` : " (without an origin URL on the application, the gateway then answers 502 No origin)"}:`}
        >
          {commands.withCertificate}
        </Command>
        <Command id="cmd-issue" label="No client certificate yet? Issue one from the intermediate (as in the docs' “Generate a client certificate”):">
          {commands.issueClient}
        </Command>
        <Command id="cmd-cli" label="Ask this Portcullis whether a certificate would be let in, and why, without sending traffic (an API token with Read permission is enough):">
          {commands.portcullisTest}
        </Command>
        <p className="text-sm">
          Or paste the certificate on{" "}
          <Link href="/access-controls/test" className="text-brand-700 underline dark:text-brand-100">
            Test mTLS
          </Link>
          . API tokens are created under{" "}
          <Link href="/settings" className="text-brand-700 underline dark:text-brand-100">
            Settings
          </Link>
          .
        </p>
      </section>

      <div className="flex flex-wrap gap-2 border-t border-slate-200 pt-4 dark:border-slate-800">
        <Link href={SETUP_PATH} className={buttonClass("secondary")}>
          Start another setup
        </Link>
        <Link href={`${APPLICATIONS_PATH}/${app.id}?tab=policies`} className={buttonClass("secondary")}>
          Configure the application
        </Link>
      </div>
    </div>
  );
}
