/**
 * Self-hosted Access applications (design.md §2, §5; research/cloudflare-access-api.md §5). Policies are
 * linked by id in precedence order (bare UUIDs or `{id, precedence}` links, as Cloudflare accepts). Saving
 * refuses certificate-rule policies on a hostname that no mTLS certificate covers.
 *
 * The changes are here; the reads are in ./read (list, one, a hostname's for the gateway), the shapes in ./dto, the
 * input schemas in ./schemas.
 */
import { randomBytes } from "node:crypto";
import { and, eq, ne } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { applicationPolicies, applications } from "../../db/schema";
import { usesCertificateSelectors } from "../../policy";
import type { Actor } from "../core/actor";
import { mutate, type Audit } from "../core/mutate";
import { isAssociatedHostname } from "../hostnames";
import { appInputSchema, policiesSchema } from "./schemas";
import { replaceLoginMethods } from "../login-methods/applications";
import { certificateHostnameMessage, isUuid, loadPolicies, versionSchema } from "../policies";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";
import type { ApplicationDto } from "./dto";
import { withPolicies } from "./read";

export type { AppPolicyDto, ApplicationDto, ApplicationForGateway } from "./dto";
export { applicationsForHostname, getApplication, listApplications, type ApplicationListOptions } from "./read";

export { MAX_APPLICATION_NAME_LENGTH, MAX_APPLICATION_POLICIES, policiesSchema } from "./schemas";

export const APPLICATION_STALE_MESSAGE = "This application was changed by someone else since you opened it. Reload to see the latest version.";

/** Checks policy ids exist and the certificate-hostname rule; returns the error or null. */
async function checkPolicySet(tx: Tx, host: string, policyIds: string[]) {
  const found = await loadPolicies(tx, policyIds);
  const missing = policyIds.filter((id) => !found.has(id));
  if (missing.length) {
    const msg = `Policy ${missing.join(", ")} does not exist (it may have been deleted). Reload and pick again.`;
    return fail("validation", msg, { policies: [msg] });
  }
  const certPolicies = policyIds.map((id) => found.get(id)!).filter((p) => usesCertificateSelectors(p));
  if (certPolicies.length && !(await isAssociatedHostname(tx, host))) {
    const msg = certificateHostnameMessage(host);
    return fail("validation", msg, { policies: [msg] }, { hostname: host, policies: certPolicies.map((p) => ({ id: p.id, name: p.name })) });
  }
  return null;
}

async function replaceLinks(tx: Tx, appId: string, policyIds: string[]) {
  await tx.delete(applicationPolicies).where(eq(applicationPolicies.applicationId, appId));
  if (policyIds.length) {
    await tx.insert(applicationPolicies).values(policyIds.map((policyId, i) => ({ applicationId: appId, policyId, precedence: i + 1 })));
  }
}

async function domainTaken(tx: Tx, domain: string, exceptId?: string) {
  const cond = exceptId ? and(eq(applications.domain, domain), ne(applications.id, exceptId)) : eq(applications.domain, domain);
  const [other] = await tx.select({ name: applications.name }).from(applications).where(cond).limit(1);
  if (!other) return null;
  const msg = `Another application ("${other.name}") already protects ${domain}`;
  return fail("conflict", msg, { domain: [msg] });
}

function invalid(issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const fieldErrors = zodFieldErrors(issues.map((i) => ({ path: [...i.path], message: i.message })));
  const first = Object.values(fieldErrors)[0]?.[0];
  return fail("validation", first ? `Check the highlighted fields: ${first}` : "Check the highlighted fields.", fieldErrors);
}

async function loadOne(tx: Tx, id: string): Promise<ApplicationDto> {
  const [row] = await tx.select().from(applications).where(eq(applications.id, id));
  return (await withPolicies(tx, [row]))[0];
}

export async function createApplication(actor: Actor, input: unknown): Promise<Result<ApplicationDto>> {
  const parsed = appInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  const d = parsed.data;
  return mutate(actor, async (tx, audit) => {
    const taken = await domainTaken(tx, d.domain.domain);
    if (taken) return taken;
    const policyIds = d.policies ?? [];
    const refused = await checkPolicySet(tx, d.domain.host, policyIds);
    if (refused) return refused;
    const [row] = await tx
      .insert(applications)
      .values({
        aud: randomBytes(32).toString("hex"),
        name: d.name ?? d.domain.domain,
        domain: d.domain.domain,
        hostname: d.domain.host,
        path: d.domain.path === "/" ? "" : d.domain.path,
        sessionDuration: d.session_duration,
        originUrl: d.origin_url,
      })
      .returning();
    await replaceLinks(tx, row.id, policyIds);
    if (d.allowed_idps?.length) {
      const refusedIdps = await replaceLoginMethods(tx, row.id, d.allowed_idps);
      if (refusedIdps) return refusedIdps;
    }
    const dto = await loadOne(tx, row.id);
    await audit({ action: "application.create", resourceType: "application", resourceId: row.id, after: dto });
    return ok(dto, d.domain.notice ? [d.domain.notice] : undefined);
  });
}

async function lockForUpdate(tx: Tx, id: string, version: number | null | undefined) {
  const [row] = await tx.select().from(applications).where(eq(applications.id, id)).for("update");
  if (!row) return { error: fail("not_found", "That application does not exist (it may have been deleted).") };
  if (version != null && version !== row.version) return { error: fail("stale", APPLICATION_STALE_MESSAGE) };
  return { row };
}

async function finishUpdate(tx: Tx, audit: Audit, action: string, before: ApplicationDto, set: Partial<typeof applications.$inferInsert>) {
  await tx.update(applications).set({ ...set, version: before.version + 1, updatedAt: new Date() }).where(eq(applications.id, before.id));
  const dto = await loadOne(tx, before.id);
  await audit({ action, resourceType: "application", resourceId: before.id, before, after: dto });
  return dto;
}

/**
 * Replaces the application's settings (Cloudflare PUT). `policies`, when present, replaces the attached
 * set in the given order; when absent the attached policies are kept. `version` enables the stale check.
 */
export async function updateApplication(actor: Actor, id: string, input: unknown): Promise<Result<ApplicationDto>> {
  const parsed = appInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  if (!isUuid(id)) return fail("not_found", "That application does not exist.");
  const d = parsed.data;
  return mutate(actor, async (tx, audit) => {
    const locked = await lockForUpdate(tx, id, d.version);
    if (locked.error) return locked.error;
    const before = (await withPolicies(tx, [locked.row]))[0];
    const taken = await domainTaken(tx, d.domain.domain, id);
    if (taken) return taken;
    const policyIds = d.policies ?? before.policies.map((p) => p.id);
    const refused = await checkPolicySet(tx, d.domain.host, policyIds);
    if (refused) return refused;
    if (d.policies) await replaceLinks(tx, id, policyIds);
    if (d.allowed_idps !== undefined) {
      const refusedIdps = await replaceLoginMethods(tx, id, d.allowed_idps);
      if (refusedIdps) return refusedIdps;
    }
    const dto = await finishUpdate(tx, audit, "application.update", before, {
      name: d.name ?? d.domain.domain,
      domain: d.domain.domain,
      hostname: d.domain.host,
      path: d.domain.path === "/" ? "" : d.domain.path,
      sessionDuration: d.session_duration,
      originUrl: d.origin_url,
    });
    return ok(dto, d.domain.notice ? [d.domain.notice] : undefined);
  });
}

/** Replaces the attached policies; `policyIds` in precedence order (first = precedence 1). */
export async function setApplicationPolicies(actor: Actor, id: string, policyIds: unknown, version?: unknown): Promise<Result<ApplicationDto>> {
  const parsed = policiesSchema.safeParse(policyIds);
  if (!parsed.success) return invalid(parsed.error.issues.map((i) => ({ ...i, path: ["policies"] })));
  const v = versionSchema.safeParse(version);
  if (!v.success) return fail("validation", v.error.issues[0].message);
  if (!isUuid(id)) return fail("not_found", "That application does not exist.");
  return mutate(actor, async (tx, audit) => {
    const locked = await lockForUpdate(tx, id, v.data);
    if (locked.error) return locked.error;
    const before = (await withPolicies(tx, [locked.row]))[0];
    const refused = await checkPolicySet(tx, locked.row.hostname, parsed.data);
    if (refused) return refused;
    await replaceLinks(tx, id, parsed.data);
    return ok(await finishUpdate(tx, audit, "application.set_policies", before, {}));
  });
}

export async function deleteApplication(actor: Actor, id: string): Promise<Result<{ id: string }>> {
  if (!isUuid(id)) return fail("not_found", "That application does not exist.");
  return mutate(actor, async (tx, audit) => {
    const [row] = await tx.select().from(applications).where(eq(applications.id, id)).for("update");
    if (!row) return fail("not_found", "That application does not exist (it may have been deleted).");
    const before = (await withPolicies(tx, [row]))[0];
    await tx.delete(applications).where(eq(applications.id, id));
    await audit({ action: "application.delete", resourceType: "application", resourceId: id, before });
    return ok({ id });
  });
}
