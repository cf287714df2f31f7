/**
 * Per-hostname **Strict** path validation (like `openssl verify -x509_strict`): a client certificate path missing the
 * Authority or Subject Key Identifiers RFC 5280 requires is refused (lib/pki). Stored in `hostname_settings` and read
 * with the revocation settings (./revocation `revocationSettingsFor`), so the gateway, Test mTLS, the API and the CLI
 * apply it through lib/access. Edited on its own so no other settings form overwrites it.
 */
import { inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { hostnameSettings } from "../../db/schema";
import type { Actor } from "../core/actor";
import { mutate } from "../core/mutate";
import { unlessAssociated } from "./associated";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";

export interface StrictSettingDto {
  hostname: string;
  strict: boolean;
}

/** Each hostname's Strict setting (off for those never set). */
export async function getStrictSettings(hostnames: string[]): Promise<StrictSettingDto[]> {
  const on = new Set<string>();
  if (hostnames.length) {
    const db = await getDb();
    const rows = await db
      .select({ hostname: hostnameSettings.hostname, strict: hostnameSettings.strictValidation })
      .from(hostnameSettings)
      .where(inArray(hostnameSettings.hostname, hostnames));
    for (const r of rows) if (r.strict) on.add(r.hostname);
  }
  return hostnames.map((hostname) => ({ hostname, strict: on.has(hostname) }));
}

const schema = z.object({
  hostname: z.string({ error: "Hostname is required" }).trim().toLowerCase().min(1, "Hostname is required"),
  strict: z.boolean({ error: "strict must be true or false" }),
});

/** Turns Strict validation on or off for one associated hostname. Input `{hostname, strict}`. */
export async function updateStrictSetting(actor: Actor, input: unknown): Promise<Result<StrictSettingDto>> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the Strict setting.", fieldErrors);
  }
  const s = parsed.data;
  return mutate(actor, async (tx, audit) => {
    const refused = await unlessAssociated(tx, s.hostname);
    if (refused) return refused;
    const [before] = await tx.select({ strict: hostnameSettings.strictValidation }).from(hostnameSettings).where(inArray(hostnameSettings.hostname, [s.hostname])).limit(1);
    const now = new Date();
    await tx
      .insert(hostnameSettings)
      .values({ hostname: s.hostname, strictValidation: s.strict, updatedAt: now })
      .onConflictDoUpdate({ target: hostnameSettings.hostname, set: { strictValidation: s.strict, updatedAt: now } });
    await audit({
      action: "mtls_hostname_settings.strict",
      resourceType: "mtls_hostname_settings",
      resourceId: null,
      before: { hostname: s.hostname, strict: before?.strict ?? false },
      after: s,
    });
    return ok(s);
  });
}
