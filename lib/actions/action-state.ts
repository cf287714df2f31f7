import { currentActor } from "../auth/session";
import { canWrite, type Actor } from "../domain/core/actor";
import { READ_ONLY_MESSAGE, type Result } from "../domain/core/result";

/** What every form action returns to `useActionState`. */
export interface ActionState<T = unknown> {
  ok: boolean;
  message?: string;
  fieldErrors?: Record<string, string[]>;
  warnings?: string[];
  data?: T;
  /** Echo of submitted values so that a refused form loses nothing. */
  values?: Record<string, string>;
}

export function formValues(form: FormData, omit: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && !omit.includes(k) && !k.startsWith("$")) out[k] = v;
  return out;
}

/**
 * Authenticate → authorise → run. Expected failures come back as values; anything unexpected is logged
 * and shown as a generic message (never a stack trace).
 */
export async function runAction<T>(
  opts: { write: boolean; values?: Record<string, string>; success?: string },
  fn: (actor: Actor) => Promise<Result<T>>,
): Promise<ActionState<T>> {
  const actor = await currentActor();
  if (!actor) return { ok: false, message: "Your session has ended. Sign in again.", values: opts.values };
  if (opts.write && !canWrite(actor)) return { ok: false, message: READ_ONLY_MESSAGE, values: opts.values };
  try {
    const result = await fn(actor);
    if (result.ok) return { ok: true, message: opts.success, data: result.value, warnings: result.warnings };
    return { ok: false, message: result.error.message, fieldErrors: result.error.fieldErrors, values: opts.values };
  } catch (err) {
    // next/navigation's redirect() and notFound() work by throwing: let them through.
    if (err && typeof err === "object" && "digest" in err && String((err as { digest: unknown }).digest).startsWith("NEXT_")) throw err;
    console.error("[action] unexpected error:", err);
    return { ok: false, message: "Something went wrong on the server. Nothing was changed; try again.", values: opts.values };
  }
}
