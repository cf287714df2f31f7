/**
 * Reusable Access policies (design.md §2, §5; research/cloudflare-access-api.md §4). DTOs use Cloudflare's
 * JSON field names so the REST API can return them as they are. Updates are full replacements (Cloudflare
 * PUT) with optional optimistic concurrency (`version`). A policy still used by applications cannot be
 * deleted, and a policy used by applications cannot gain certificate rules while one of those applications
 * sits on a hostname that no mTLS certificate covers.
 */
import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type DbOrTx } from "../../db/client";
import { applicationPolicies, applications, policies } from "../../db/schema";
import { policyInputSchema, ruleWarnings, usesCertificateSelectors, type PolicyDecision, type Rule, type WarnablePolicy } from "../../policy";
import type { Actor } from "../core/actor";
import { mutate } from "../core/mutate";
import { isAssociatedHostname } from "../hostnames";
import { fail, ok, type DomainError, type Result } from "../core/result";

export interface PolicyDto {
  id: string;
  name: string;
  decision: PolicyDecision;
  include: Rule[];
  require: Rule[];
  exclude: Rule[];
  session_duration: string;
  reusable: true;
  /** Number of applications currently using this policy. */
  app_count: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface PolicyUsage {
  id: string;
  name: string;
}

export const POLICY_STALE_MESSAGE = "This policy was changed by someone else since you opened it. Reload to see the latest version.";

/** The refusal shown when certificate rules could never match on an application's hostname. */
export function certificateHostnameMessage(host: string): string {
  return `Policies with certificate rules can't match on ${host}: it is not an associated hostname of any mTLS certificate. Add it under Mutual TLS first.`;
}

const RULE_LISTS = { include: "Include", require: "Require", exclude: "Exclude" } as const;

/** zod issues → per-field messages; rule issues name the rule: "Include rule 2: Common Name must not be empty". */
export function policyFieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.length ? String(issue.path[0]) : "form";
    const idx = issue.path[1];
    const list = RULE_LISTS[key as keyof typeof RULE_LISTS];
    const message = list && typeof idx === "number" ? `${list} rule ${idx + 1}: ${issue.message}` : issue.message;
    (out[key] ??= []).push(message);
  }
  return out;
}

/**
 * Rules of a policy that can never match at the gateway (lib/policy/enforceable.ts), one API-style message each,
 * e.g. "include[0] email: needs sign-in at the gateway; …". Saved anyway: Cloudflare clients send these selectors
 * and must keep working; the API returns them in `messages` and the console shows them next to the rule.
 */
export function policyRuleMessages(policy: WarnablePolicy): string[] {
  return ruleWarnings(policy).map((w) => w.message);
}

/**
 * The same for policies shown inside another response (the policy list, an application's policies): one message
 * per policy that has such rules, naming it, with its first rule's message and how many more there are.
 */
export function embeddedPolicyMessages(list: readonly (WarnablePolicy & { id: string; name: string })[]): string[] {
  return list.flatMap((p) => {
    const all = policyRuleMessages(p);
    if (all.length === 0) return [];
    const more = all.length > 1 ? ` (and ${all.length - 1} more rule${all.length > 2 ? "s" : ""} like it)` : "";
    return [`policy ${p.id} (${JSON.stringify(p.name)}): ${all[0]}${more}`];
  });
}

/** Optional optimistic-concurrency token: a positive integer, or its decimal string (from a form). */
export const versionSchema = z
  .union([z.number().int().positive(), z.string().regex(/^\d+$/).transform(Number)], { error: "Version must be a positive whole number" })
  .nullish();

type PolicyRow = typeof policies.$inferSelect;

/** Applications using the policy (a correlated count on application_policies_policy_idx). */
export const policyAppCountSql = sql<number>`(select count(*)::int from ${applicationPolicies} where ${applicationPolicies.policyId} = ${policies.id})`;
const appCountSql = policyAppCountSql;

export function toPolicyDto(row: PolicyRow, appCount: number): PolicyDto {
  return {
    id: row.id,
    name: row.name,
    decision: row.decision,
    include: (row.include ?? []) as Rule[],
    require: (row.require ?? []) as Rule[],
    exclude: (row.exclude ?? []) as Rule[],
    session_duration: row.sessionDuration,
    reusable: true,
    app_count: Number(appCount) || 0,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
  };
}

/** Policies by id with their app counts (missing ids are simply absent). */
export async function loadPolicies(db: DbOrTx, ids: readonly string[]): Promise<Map<string, PolicyDto>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ p: policies, n: appCountSql }).from(policies).where(inArray(policies.id, [...ids]));
  return new Map(rows.map((r) => [r.p.id, toPolicyDto(r.p, r.n)]));
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: unknown): boolean => typeof s === "string" && UUID_RE.test(s);

export interface ListOptions {
  page?: number;
  perPage?: number;
}

function paging(opts: ListOptions): { limit?: number; offset: number } {
  const page = Number.isInteger(opts.page) && (opts.page as number) > 0 ? (opts.page as number) : 1;
  if (opts.perPage === undefined) return { offset: 0 };
  const perPage = Math.min(1000, Math.max(1, Math.trunc(opts.perPage) || 1));
  return { limit: perPage, offset: (page - 1) * perPage };
}

export async function listPolicies(opts: ListOptions = {}): Promise<{ items: PolicyDto[]; total: number }> {
  const db = await getDb();
  const { limit, offset } = paging(opts);
  const base = db.select({ p: policies, n: appCountSql }).from(policies).orderBy(asc(sql`lower(${policies.name})`), asc(policies.createdAt), asc(policies.id));
  const rows = limit === undefined ? await base.offset(offset) : await base.limit(limit).offset(offset);
  const [{ total }] = await db.select({ total: count() }).from(policies);
  return { items: rows.map((r) => toPolicyDto(r.p, r.n)), total };
}

export async function getPolicy(id: string): Promise<PolicyDto | null> {
  if (!isUuid(id)) return null;
  const db = await getDb();
  return (await loadPolicies(db, [id])).get(id) ?? null;
}

/** Applications (id, name) using each policy, ordered by application name. */
export async function policyApplications(policyIds?: readonly string[]): Promise<Map<string, PolicyUsage[]>> {
  const db = await getDb();
  return usageOf(db, policyIds);
}

async function usageOf(db: DbOrTx, policyIds?: readonly string[]): Promise<Map<string, PolicyUsage[]>> {
  if (policyIds && policyIds.length === 0) return new Map();
  const q = db
    .select({ policyId: applicationPolicies.policyId, id: applications.id, name: applications.name, hostname: applications.hostname })
    .from(applicationPolicies)
    .innerJoin(applications, eq(applications.id, applicationPolicies.applicationId))
    .orderBy(asc(applications.name));
  const rows = policyIds ? await q.where(inArray(applicationPolicies.policyId, [...policyIds])) : await q;
  const out = new Map<string, PolicyUsage[]>();
  for (const r of rows) {
    const list = out.get(r.policyId) ?? [];
    list.push({ id: r.id, name: r.name });
    out.set(r.policyId, list);
  }
  return out;
}

function invalid(issues: readonly { path: readonly PropertyKey[]; message: string }[]): { ok: false; error: DomainError } {
  const fieldErrors = policyFieldErrors(issues);
  const first = Object.values(fieldErrors)[0]?.[0];
  return fail("validation", first ? `Check the highlighted fields: ${first}` : "Check the highlighted fields.", fieldErrors);
}

function rowValues(input: z.output<typeof policyInputSchema>) {
  return {
    name: input.name,
    decision: input.decision,
    include: input.include,
    require: input.require,
    exclude: input.exclude,
    sessionDuration: input.session_duration,
  };
}

export async function createPolicy(actor: Actor, input: unknown): Promise<Result<PolicyDto>> {
  const parsed = policyInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  return mutate(actor, async (tx, audit) => {
    const [row] = await tx.insert(policies).values(rowValues(parsed.data)).returning();
    const dto = toPolicyDto(row, 0);
    await audit({ action: "policy.create", resourceType: "policy", resourceId: row.id, after: dto });
    return ok(dto, policyRuleMessages(dto));
  });
}

/** Full replacement (Cloudflare PUT). `input.version`, when given, must match the stored version. */
export async function updatePolicy(actor: Actor, id: string, input: unknown): Promise<Result<PolicyDto>> {
  const parsed = policyInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  const v = versionSchema.safeParse((input as { version?: unknown } | null)?.version);
  if (!v.success) return fail("validation", v.error.issues[0].message, { version: [v.error.issues[0].message] });
  if (!isUuid(id)) return fail("not_found", "That policy does not exist.");
  return mutate(actor, async (tx, audit) => {
    const [before] = await tx.select({ p: policies, n: appCountSql }).from(policies).where(eq(policies.id, id)).for("update");
    if (!before) return fail("not_found", "That policy does not exist (it may have been deleted).");
    if (v.data != null && v.data !== before.p.version) return fail("stale", POLICY_STALE_MESSAGE);
    if (usesCertificateSelectors(parsed.data)) {
      const apps = await tx
        .select({ name: applications.name, hostname: applications.hostname })
        .from(applicationPolicies)
        .innerJoin(applications, eq(applications.id, applicationPolicies.applicationId))
        .where(eq(applicationPolicies.policyId, id))
        .orderBy(asc(applications.name));
      for (const app of apps) {
        if (!(await isAssociatedHostname(tx, app.hostname))) {
          const msg = `${certificateHostnameMessage(app.hostname)} (This policy is used by the application "${app.name}".)`;
          return fail("validation", msg, { include: [msg] }, { hostname: app.hostname, application: app.name });
        }
      }
    }
    const [row] = await tx
      .update(policies)
      .set({ ...rowValues(parsed.data), version: before.p.version + 1, updatedAt: new Date() })
      .where(and(eq(policies.id, id), eq(policies.version, before.p.version)))
      .returning();
    if (!row) return fail("stale", POLICY_STALE_MESSAGE);
    const dto = toPolicyDto(row, before.n);
    await audit({ action: "policy.update", resourceType: "policy", resourceId: id, before: toPolicyDto(before.p, before.n), after: dto });
    return ok(dto, policyRuleMessages(dto));
  });
}

/** Refused (kind "conflict") while applications still use the policy; `detail.applications` names them. */
export async function deletePolicy(actor: Actor, id: string): Promise<Result<{ id: string }>> {
  if (!isUuid(id)) return fail("not_found", "That policy does not exist.");
  return mutate(actor, async (tx, audit) => {
    const [before] = await tx.select().from(policies).where(eq(policies.id, id)).for("update");
    if (!before) return fail("not_found", "That policy does not exist (it may have been deleted).");
    const users = (await usageOf(tx, [id])).get(id) ?? [];
    if (users.length > 0) {
      const names = users.map((a) => `"${a.name}"`).join(", ");
      const noun = users.length === 1 ? "application" : "applications";
      return fail(
        "conflict",
        `Policy "${before.name}" is still used by ${users.length} ${noun}: ${names}. Remove it from ${users.length === 1 ? "that application" : "those applications"} first.`,
        undefined,
        { applications: users },
      );
    }
    await tx.delete(policies).where(eq(policies.id, id));
    await audit({ action: "policy.delete", resourceType: "policy", resourceId: id, before: toPolicyDto(before, 0) });
    return ok({ id });
  });
}
