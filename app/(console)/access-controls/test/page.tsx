import type { Metadata } from "next";
import { loadExplain } from "@/components/access-log/explain-comparison";
import { TestMtlsForm, type TestMtlsInitial } from "@/components/test-mtls/test-form";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { listApplications } from "@/lib/domain/applications";

export const metadata: Metadata = { title: "Test mTLS" };

type Search = Record<string, string | string[] | undefined>;

/** A client chain (leaf and intermediates) fits easily; anything longer is not a chain worth prefilling. */
const MAX_CERTIFICATE_PARAM = 64 * 1024;
const MAX_PARAM = 2048;

/**
 * Prefill from the address: `?url=…&hostname=…&application=<id>&at=<ISO>&ip=…&service_token=…&email=…&certificate=<PEM>`, so a
 * link (a runbook, a ticket, an access-log row) opens the tester ready to run. Only the first value of
 * each is read; control characters (other than a PEM's line breaks) and overlong values are dropped.
 */
function initialFromSearch(sp: Search): TestMtlsInitial {
  const get = (key: string, max = MAX_PARAM, keepLines = false): string | undefined => {
    const v = sp[key];
    const s = Array.isArray(v) ? v[0] : v;
    if (!s || s.length > max) return undefined;
    const cleaned = keepLines ? s.replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/g, "") : s.replace(/[\u0000-\u001f\u007f]/g, "");
    return cleaned.trim() || undefined;
  };
  return {
    url: get("url"),
    hostname: get("hostname"),
    applicationId: get("application"),
    at: get("at"),
    ip: get("ip"),
    serviceToken: get("service_token", 100),
    email: get("email", 320),
    certificate: get("certificate", MAX_CERTIFICATE_PARAM, true),
  };
}

/** Identifies a set of initial values (the certificate by its length and end: enough to tell two apart). */
const formKey = (i: TestMtlsInitial) =>
  [i.url, i.hostname, i.applicationId, i.at, i.ip, i.serviceToken, i.email, i.certificate ? `${i.certificate.length}:${i.certificate.slice(-80)}` : ""].join("\n");

export default async function TestMtlsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const me = await requireUser();
  const [{ items }, sp] = await Promise.all([listApplications(), searchParams]);
  const apps = items.map((a) => ({ id: a.id, name: a.name, domain: a.domain }));
  // ?explain=<access-log row id>: that logged request, prefilled, with its logged and today's decisions.
  const explained = await loadExplain(sp.explain);
  const initial = explained.initial ?? initialFromSearch(sp);
  return (
    <>
      <PageHeader
        title="Test mTLS"
        description="Find out whether a client certificate would be let in, and why: the URL selects the application (most specific path first), the chain is built to the hostname's CA certificates, checked for validity, revocation and purpose, then the application's policies are evaluated. The certificate you test is not stored."
      />
      {explained.panel}
      {/* Keyed so that following another prefill link (or Explain) on this page starts the form afresh. */}
      <TestMtlsForm key={formKey(initial)} applications={apps} initial={initial} canBlock={me.role === "admin"} />
    </>
  );
}
