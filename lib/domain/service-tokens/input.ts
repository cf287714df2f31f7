/** What a create, update or rotation may ask for: the limits, the duration and grace period, the zod schemas. */
import { z } from "zod";
import { formatGoDuration, parseGoDuration } from "../../policy";
import { fail, zodFieldErrors } from "../core/result";
import { FOREVER } from "./choices";

/** Cloudflare's "Service tokens count" limit per account. */
export const MAX_SERVICE_TOKENS = 50;
export const MAX_NAME_LENGTH = 350;
/** Longest grace period for a rotated-out secret (Cloudflare's dashboard offers one hour to 30 days). */
export const MAX_GRACE_MS = 30 * 86_400_000;
/** Longest duration accepted (the API takes any Go duration; beyond this a date is meaningless). */
const MAX_DURATION_MS = 876_000 * 3_600_000;
const HOUR_MS = 3_600_000;

/** "8760h" → ms, "forever" → null; or a message. */
export function durationMs(duration: string): { ok: true; ms: number | null } | { ok: false; error: string } {
  if (duration === FOREVER) return { ok: true, ms: null };
  const r = parseGoDuration(duration);
  if (!r.ok) return { ok: false, error: `${r.error} (use a Go duration such as 8760h, or "forever" for a token that never expires)` };
  if (r.ms <= 0) return { ok: false, error: "Service Token Duration must be longer than zero" };
  if (r.ms > MAX_DURATION_MS) return { ok: false, error: "Service Token Duration must be at most 876000h (100 years)" };
  return { ok: true, ms: r.ms };
}

const durationSchema = z
  .string({ error: `Service Token Duration must be a string such as 8760h, or "forever"` })
  .trim()
  .transform((v, ctx) => {
    const d = durationMs(v);
    if (!d.ok) {
      ctx.addIssue({ code: "custom", message: d.error });
      return z.NEVER;
    }
    // Stored canonical ("8760h0m0s"-style variants collapse to "8760h"), as Cloudflare echoes it back.
    return v === FOREVER ? FOREVER : formatGoDuration(d.ms!);
  });

const nameSchema = z
  .string({ error: "Service token name is required" })
  .trim()
  .min(1, "Service token name is required")
  .max(MAX_NAME_LENGTH, `Service token name must be at most ${MAX_NAME_LENGTH} characters`)
  .refine((s) => !s.includes("\0"), "Service token name must not contain null characters");

const instantSchema = z.union([z.iso.datetime({ offset: true, error: "Must be an RFC 3339 date and time such as 2030-01-01T00:00:00Z" }), z.null()]);

export const createServiceTokenSchema = z.object(
  {
    name: nameSchema,
    duration: durationSchema.optional(),
    enabled: z.boolean({ error: "enabled must be true or false" }).optional(),
  },
  { error: "The service token must be a JSON object" },
);

export const updateServiceTokenSchema = z.object(
  {
    name: nameSchema.optional(),
    duration: durationSchema.optional(),
    enabled: z.boolean({ error: "enabled must be true or false" }).optional(),
    previous_client_secret_expires_at: instantSchema.optional(),
    client_secret_version: z.number({ error: "client_secret_version must be a number" }).int().optional(),
  },
  { error: "The service token must be a JSON object" },
);

export const rotateServiceTokenSchema = z.object(
  {
    previous_client_secret_expires_at: instantSchema.optional(),
    /** the console's choice: hours the old secret keeps working (0 = revoke at once) */
    grace_hours: z.coerce.number({ error: "Choose how long the current secret stays valid" }).int().min(0).max(MAX_GRACE_MS / HOUR_MS).optional(),
  },
  { error: "The rotation must be a JSON object" },
);


export const idSchema = z.uuid("No service token with that id");

export const validation = (issues: z.core.$ZodIssue[]) => fail("validation", issues[0].message, zodFieldErrors(issues));
export const notFound = () => fail("not_found", "That service token no longer exists.");

/** The previous secret's expiry from a request: past/absent = revoke at once (null); beyond 30 days is refused. */
export function graceUntil(raw: string | null | undefined, hours: number | undefined, now: number): { ok: true; at: Date | null } | { ok: false; error: string } {
  let at: number | null = null;
  if (hours !== undefined) at = hours > 0 ? now + hours * HOUR_MS : null;
  else if (raw) at = Date.parse(raw);
  if (at === null || at <= now) return { ok: true, at: null };
  if (at - now > MAX_GRACE_MS + 60_000) return { ok: false, error: "The previous Client Secret can stay valid for at most 30 days" };
  return { ok: true, at: new Date(at) };
}

/** When a token of this duration made valid at `now` expires (null: never). */
export const expiryFrom = (duration: string, now: number): Date | null => {
  const d = durationMs(duration);
  return d.ok && d.ms !== null ? new Date(now + d.ms) : null;
};
