import { getDb, type Tx } from "../../db/client";
import { writeAudit, type AuditInput } from "../audit/record";
import { canWrite, type Actor } from "./actor";
import { DomainFailure, fail, READ_ONLY_MESSAGE, type Result } from "./result";

export type Audit = (event: AuditInput) => Promise<void>;

function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = e?.code ?? e?.cause?.code;
  return typeof code === "string" ? code : undefined;
}

/** Connection-level failures (database down, pool exhausted): reported as 503, never as a 500. */
export function isUnavailable(err: unknown): boolean {
  const code = pgCode(err);
  if (code && (code.startsWith("08") || ["57P01", "57P03", "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code))) return true;
  // drizzle wraps driver errors ("Failed query: …"): look at the cause's message too.
  const e = err as { message?: unknown; cause?: { message?: unknown } };
  const msg = `${String(e?.message ?? "")}\n${String(e?.cause?.message ?? "")}`;
  return /ECONNREFUSED|ECONNRESET|Connection terminated|not queryable|timeout exceeded when trying to connect|the database system is/i.test(msg);
}

/** `detail` of an "unavailable" failure whose change may or may not have been committed. */
export const OUTCOME_UNKNOWN = { outcome: "unknown" } as const;
export const OUTCOME_UNKNOWN_MESSAGE =
  "The connection to the database was lost while saving: the change may or may not have been saved. Reload and check before trying again.";

/**
 * Run a change in one transaction together with its audit events. Returning `{ok:false}` (or throwing
 * DomainFailure) rolls everything back. The role is checked here too, so no door can forget it.
 * A connection lost while COMMIT is under way leaves the outcome unknown (the server may have committed):
 * that failure says so (`detail: OUTCOME_UNKNOWN`) instead of claiming the database was simply unavailable.
 */
export async function mutate<T>(actor: Actor, fn: (tx: Tx, audit: Audit) => Promise<Result<T>>): Promise<Result<T>> {
  if (!canWrite(actor)) return fail("forbidden", READ_ONLY_MESSAGE);
  const db = await getDb();
  let committing = false;
  try {
    return await db.transaction(async (tx) => {
      const audit: Audit = (event) => writeAudit(tx, actor, event);
      const result = await fn(tx, audit);
      if (!result.ok) throw new DomainFailure(result.error);
      // Returning hands over to COMMIT: anything thrown from here on came from committing.
      committing = true;
      return result;
    });
  } catch (err) {
    if (err instanceof DomainFailure) return { ok: false, error: err.error };
    if (pgCode(err) === "23505") return fail("conflict", "That already exists (a unique name or value is taken).");
    if (pgCode(err) === "23503") return fail("conflict", "Another object still refers to this one.");
    if (pgCode(err) === "40001") return fail("stale", "Another change happened at the same time. Reload and try again.");
    // PostgreSQL text cannot hold U+0000 (22021 / 22P05): a validation error, not a 500.
    if (pgCode(err) === "22021" || pgCode(err) === "22P05") {
      return fail("validation", "Text must not contain null characters (U+0000).", { form: ["Text must not contain null characters (U+0000)."] });
    }
    if (isUnavailable(err)) {
      if (committing) return fail("unavailable", OUTCOME_UNKNOWN_MESSAGE, undefined, OUTCOME_UNKNOWN);
      return fail("unavailable", "The database is unavailable. Try again in a moment.");
    }
    throw err;
  }
}
