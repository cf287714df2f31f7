/**
 * Which login methods an application offers (Cloudflare's `allowed_idps`): a list of login method ids; an empty list
 * means every login method. Used by the applications domain (form and REST API) and read by the gateway.
 */
import { eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx, Tx } from "../../db/client";
import { applicationLoginMethods, loginMethods } from "../../db/schema";
import { fail } from "../core/result";
import { MAX_LOGIN_METHODS } from ".";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `allowed_idps`: login method ids (UUIDs), each once; [] = every login method. */
export const allowedIdpsSchema = z.unknown().transform((v, ctx): string[] => {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) {
    ctx.addIssue({ code: "custom", message: "Login methods (allowed_idps) must be a list of login method IDs" });
    return z.NEVER;
  }
  if (v.length > MAX_LOGIN_METHODS) {
    ctx.addIssue({ code: "custom", message: `An application may list at most ${MAX_LOGIN_METHODS} login methods` });
    return z.NEVER;
  }
  const out: string[] = [];
  for (const [i, item] of v.entries()) {
    if (typeof item !== "string" || !UUID.test(item.trim())) {
      ctx.addIssue({ code: "custom", message: `Login method ${i + 1}: ${JSON.stringify(item)} is not a login method ID (UUID)` });
      continue;
    }
    const id = item.trim().toLowerCase();
    if (!out.includes(id)) out.push(id);
  }
  return out;
});

/** Each application's login method ids (sorted); applications without rows are absent (= every method). */
export async function loginMethodIdsOf(db: DbOrTx, appIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!appIds.length) return out;
  const rows = await db
    .select({ applicationId: applicationLoginMethods.applicationId, loginMethodId: applicationLoginMethods.loginMethodId })
    .from(applicationLoginMethods)
    .where(inArray(applicationLoginMethods.applicationId, appIds));
  for (const r of rows) {
    const list = out.get(r.applicationId) ?? [];
    list.push(r.loginMethodId);
    out.set(r.applicationId, list);
  }
  for (const list of out.values()) list.sort();
  return out;
}

/** Replaces an application's login methods; refuses ids that do not exist (a failure value, for the caller to return). */
export async function replaceLoginMethods(tx: Tx, appId: string, ids: string[]) {
  if (ids.length) {
    const found = new Set((await tx.select({ id: loginMethods.id }).from(loginMethods).where(inArray(loginMethods.id, ids))).map((r) => r.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) {
      const msg = `Login method ${missing.join(", ")} does not exist (it may have been deleted). Reload and pick again.`;
      return fail("validation", msg, { allowed_idps: [msg] });
    }
  }
  await tx.delete(applicationLoginMethods).where(eq(applicationLoginMethods.applicationId, appId));
  if (ids.length) await tx.insert(applicationLoginMethods).values(ids.map((loginMethodId) => ({ applicationId: appId, loginMethodId })));
  return null;
}
