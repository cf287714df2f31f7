/**
 * Self-hosted Access applications (design.md §2, §5; research/cloudflare-access-api.md §5). Policies are
 * linked by id in precedence order (bare UUIDs or `{id, precedence}` links, as Cloudflare accepts). Saving
 * refuses certificate-rule policies on a hostname that no mTLS certificate covers.
 */
import { randomBytes } from "node:crypto";
import { and, asc, count, eq, inArray, ne, or, sql, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx, type Tx } from "../../db/client";
import { applicationPolicies, applications, policies } from "../../db/schema";
import { usesCertificateSelectors, type PolicyForEval } from "../../policy";
import type { Actor } from "../core/actor";
import { mutate, type Audit } from "../core/mutate";
import { isAssociatedHostname } from "../hostnames";
import { appInputSchema, policiesSchema } from "./schemas";
import { loginMethodIdsOf, replaceLoginMethods } from "../login-methods/applications";
import {
  certificateHostnameMessage,
  isUuid,
  loadPolicies,
  policyAppCountSql,
  toPolicyDto,
  versionSchema,
  type ListOptions,
  type PolicyDto,
} from "../policies";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";

export type AppPolicyDto = PolicyDto & { precedence: number };

export interface ApplicationDto {
  id: string;
  /** Audience tag: 64 hex characters, generated. */
  aud: string;
  name: string;
  domain: string;
  type: "self_hosted";
  session_duration: string;
  policies: AppPolicyDto[];
  created_at: string;
  updated_at: string;
  version: number;
  /** Where the gateway proxies allowed requests (http or https URL), or null. */
  origin_url: string | null;
  /** The login methods (ids) it offers for signing in at the gateway; [] = every login method (Cloudflare's allowed_idps). */
  allowed_idps: string[];
}

export interface ApplicationForGateway {
  id: string;
  aud: string;
  name: string;
  domain: string;
  /** host as stored: exact, or a leading wildcard such as `*.example.com` */
  hostname: string;
  /** "" for the whole host, else "/admin" */
  path: string;
  session_duration: string;
  origin_url: string | null;
  /** in precedence order */
  policies: PolicyForEval[];
  /** login method ids it offers; [] or absent = every login method */
  allowed_idps?: string[];
}

export { MAX_APPLICATION_NAME_LENGTH, MAX_APPLICATION_POLICIES, policiesSchema } from "./schemas";

export const APPLICATION_STALE_MESSAGE = "This application was changed by someone else since you opened it. Reload to see the latest version.";
type AppRow = typeof applications.$inferSelect;

/** Each application's policies in precedence order, in one statement (links joined to their policies). */
async function linksOf(db: DbOrTx, appIds: string[]): Promise<Map<string, AppPolicyDto[]>> {
  const out = new Map<string, AppPolicyDto[]>();
  if (appIds.length === 0) return out;
  const rows = await db
    .select({ applicationId: applicationPolicies.applicationId, precedence: applicationPolicies.precedence, p: policies, n: policyAppCountSql })
    .from(applicationPolicies)
    .innerJoin(policies, eq(policies.id, applicationPolicies.policyId))
    .where(inArray(applicationPolicies.applicationId, appIds))
    .orderBy(asc(applicationPolicies.precedence));
  for (const r of rows) {
    const list = out.get(r.applicationId) ?? [];
    list.push({ ...toPolicyDto(r.p, r.n), precedence: r.precedence });
    out.set(r.applicationId, list);
  }
  return out;
}

function toDto(row: AppRow, pols: AppPolicyDto[], idps: string[]): ApplicationDto {
  return {
    id: row.id,
    aud: row.aud,
    name: row.name,
    domain: row.domain,
    type: "self_hosted",
    session_duration: row.sessionDuration,
    policies: pols,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
    origin_url: row.originUrl ?? null,
    allowed_idps: idps,
  };
}

async function withPolicies(db: DbOrTx, rows: AppRow[]): Promise<ApplicationDto[]> {
  const ids = rows.map((r) => r.id);
  const links = await linksOf(db, ids);
  const idps = await loginMethodIdsOf(db, ids);
  return rows.map((r) => toDto(r, links.get(r.id) ?? [], idps.get(r.id) ?? []));
}

export interface ApplicationListOptions extends ListOptions {
  /** exact filters, as Cloudflare's list query (`aud`, `domain`, `name`) */
  aud?: string;
  domain?: string;
  name?: string;
}

export async function listApplications(opts: ApplicationListOptions = {}): Promise<{ items: ApplicationDto[]; total: number }> {
  const db = await getDb();
  const conds: SQL[] = [];
  if (opts.aud) conds.push(eq(applications.aud, opts.aud.toLowerCase()));
  if (opts.domain) conds.push(eq(applications.domain, opts.domain.toLowerCase()));
  if (opts.name) conds.push(eq(applications.name, opts.name));
  const where = conds.length ? and(...conds) : undefined;
  const page = Number.isInteger(opts.page) && (opts.page as number) > 0 ? (opts.page as number) : 1;
  // The total as a window count over the filtered rows: one statement for the page and its total.
  const q = db
    .select({ row: applications, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(applications)
    .where(where)
    .orderBy(asc(applications.name), asc(applications.createdAt), asc(applications.id));
  let rows: { row: AppRow; total: number }[];
  let total: number;
  if (opts.perPage === undefined) {
    rows = await q;
    total = rows.length;
  } else {
    const per = Math.min(1000, Math.max(1, Math.trunc(opts.perPage) || 1));
    rows = await q.limit(per).offset((page - 1) * per);
    // A page past the end has no row to carry the total.
    total = rows.length ? rows[0].total : page > 1 ? (await db.select({ total: count() }).from(applications).where(where))[0].total : 0;
  }
  return { items: await withPolicies(db, rows.map((r) => r.row)), total };
}

export async function getApplication(id: string): Promise<ApplicationDto | null> {
  const db = await getDb();
  const cond = isUuid(id) ? eq(applications.id, id) : /^[0-9a-f]{64}$/i.test(id) ? eq(applications.aud, id.toLowerCase()) : null;
  if (!cond) return null;
  const [row] = await db.select().from(applications).where(cond).limit(1);
  return row ? (await withPolicies(db, [row]))[0] : null;
}

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

/**
 * Applications that protect `hostname` (exact host, or a wildcard `*.parent` covering it), most specific
 * first (exact before wildcard, longer path first), each with its policies in precedence order.
 */
export async function applicationsForHostname(hostname: string, db?: DbOrTx): Promise<ApplicationForGateway[]> {
  const host = hostname.trim().toLowerCase().replace(/\.$/, "");
  if (!host) return [];
  const labels = host.split(".");
  const wildcards = labels.slice(1, -1).map((_, i) => `*.${labels.slice(i + 1).join(".")}`);
  const conn = db ?? (await getDb());
  const rows = await conn
    .select()
    .from(applications)
    .where(wildcards.length ? or(eq(applications.hostname, host), inArray(applications.hostname, wildcards)) : eq(applications.hostname, host));
  const links = await linksOf(conn, rows.map((r) => r.id));
  const idps = await loginMethodIdsOf(conn, rows.map((r) => r.id));
  const spec = (r: AppRow) => (r.hostname.startsWith("*.") ? 0 : 1_000_000) + r.hostname.length * 1000 + r.path.length;
  return rows
    .sort((a, b) => spec(b) - spec(a) || a.createdAt.getTime() - b.createdAt.getTime())
    .map((r) => ({
      id: r.id,
      aud: r.aud,
      name: r.name,
      domain: r.domain,
      hostname: r.hostname,
      path: r.path,
      session_duration: r.sessionDuration,
      origin_url: r.originUrl ?? null,
      policies: (links.get(r.id) ?? []).map((p) => ({ id: p.id, name: p.name, decision: p.decision, include: p.include, require: p.require, exclude: p.exclude, precedence: p.precedence })),
      allowed_idps: idps.get(r.id) ?? [],
    }));
}
