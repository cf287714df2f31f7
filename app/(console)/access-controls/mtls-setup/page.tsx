import type { Metadata } from "next";
import { headers } from "next/headers";
import { SetupWizard } from "@/components/setup/setup-wizard";
import { Stepper } from "@/components/setup/stepper";
import { effectiveStep, parseStep, type AppChoice, type CertChoice, type PolicyChoice, type SetupIds } from "@/components/setup/steps";
import { SetupSummary } from "@/components/setup/summary";
import { buildTestCommands } from "@/components/setup/test-commands";
import { Notice } from "@/components/ui/notice";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { env } from "@/lib/env.mjs";
import { getApplication, listApplications, type ApplicationDto } from "@/lib/domain/applications";
import { getCertificate, listCertificates, type CertificateDto } from "@/lib/domain/certificates/queries";
import { getPolicy, listPolicies, type PolicyDto } from "@/lib/domain/policies";
import { describePolicy } from "@/lib/policy";
import { READ_ONLY_NOTICE } from "@/components/setup/step-frame";

export const metadata: Metadata = { title: "Set up mutual TLS" };

type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

const certChoice = (c: CertificateDto): CertChoice => ({ id: c.id, name: c.name, hostnames: c.associated_hostnames, version: c.version, expires_on: c.expires_on });
const policyChoice = (p: PolicyDto): PolicyChoice => ({ id: p.id, name: p.name, decision: p.decision, summary: describePolicy(p) });
const appChoice = (a: ApplicationDto): AppChoice => ({ id: a.id, name: a.name, domain: a.domain, version: a.version, policyIds: a.policies.map((p) => p.id) });

/** The first Common Name the policy includes (the client certificate to issue for the curl test). */
function includedCommonName(p: PolicyDto): string | null {
  for (const r of p.include) if ("common_name" in r) return (r as { common_name: { common_name: string } }).common_name.common_name;
  return null;
}

async function consoleOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? "http";
  return `${proto.split(",")[0].trim()}://${host.split(",")[0].trim()}`;
}

export default async function MtlsSetupPage({ searchParams }: { searchParams: Search }) {
  const [me, sp] = await Promise.all([requireUser(), searchParams]);
  const asked: SetupIds = { certificate: one(sp.certificate), policy: one(sp.policy), application: one(sp.application) };
  const [certDto, policyDto, appDto] = await Promise.all([
    asked.certificate ? getCertificate(asked.certificate) : null,
    asked.policy ? getPolicy(asked.policy) : null,
    asked.application ? getApplication(asked.application) : null,
  ]);
  const cert = certDto ? certChoice(certDto) : null;
  const policy = policyDto ? policyChoice(policyDto) : null;
  const app = appDto ? appChoice(appDto) : null;
  // Only ids that still resolve stay in the URL the wizard builds.
  const ids: SetupIds = { certificate: cert?.id, policy: policy?.id, application: app?.id };
  const missing = [asked.certificate && !cert ? "certificate" : null, asked.policy && !policy ? "policy" : null, asked.application && !app ? "application" : null].filter(Boolean);

  const step = effectiveStep(parseStep(one(sp.step)), { cert, policy, app });
  const reachable = effectiveStep("done", { cert, policy, app });
  const canEdit = me.role === "admin";

  const [certificates, policies, applications] =
    step === "done"
      ? [[], [], []]
      : await Promise.all([
          step === "certificate" ? listCertificates({ perPage: 1000 }).then((r) => r.items.map(certChoice)) : [],
          step === "policy" ? listPolicies().then((r) => r.items.map(policyChoice)) : [],
          step === "application" ? listApplications().then((r) => r.items.map(appChoice)) : [],
        ]);

  return (
    <>
      <PageHeader
        title="Set up mutual TLS"
        description="The four steps of “Add mTLS to your Access application” in one walk-through: upload the CA, associate hostnames, create an mTLS policy and bind it to an application. Progress is kept in the address bar, so you can reload or share this page and carry on."
      />
      <Stepper current={step} reachable={reachable} ids={ids} />
      {!canEdit ? (
        <Notice tone="info" className="mb-4">
          {READ_ONLY_NOTICE}
        </Notice>
      ) : null}
      {missing.length ? (
        <Notice tone="warning" className="mb-4">
          {`The ${missing.join(" and ")} chosen earlier no longer exists; choose again.`}
        </Notice>
      ) : null}
      {step === "done" && cert && policy && app && policyDto && appDto ? (
        <SetupSummary
          cert={cert}
          policy={policy}
          app={{ ...app, originUrl: appDto.origin_url }}
          commands={buildTestCommands({
            domain: appDto.domain,
            fallbackHost: cert.hostnames[0] ?? "auth.example.com",
            gatewayPort: env().GATEWAY_PORT?.toString(),
            consoleOrigin: await consoleOrigin(),
            commonName: includedCommonName(policyDto),
          })}
        />
      ) : step !== "done" ? (
        <SetupWizard
          step={step}
          ids={ids}
          canEdit={canEdit}
          cert={cert}
          policy={policy}
          app={app}
          certificates={certificates}
          policies={policies}
          applications={applications}
        />
      ) : null}
    </>
  );
}
