/**
 * The managed CA's daily work in the server process (lib/domain/managed-ca `maintainManagedCas`): each CRL is
 * re-signed once a day (its nextUpdate stays a week ahead, so verifiers that cache it never see it expire), and a
 * replaced CA whose certificates have all expired is retired. Checked at start-up and every hour; the re-signing
 * itself happens only for CRLs older than a day. Several instances may both re-sign: harmless (the CA row is locked
 * while signing, so CRL numbers stay monotonic). Errors are logged, never thrown.
 */
import { getDb } from "../db/client";
import { maintainManagedCas } from "../domain/managed-ca";

export const MANAGED_CA_TICK_MS = 3_600_000;
const g = globalThis as { __portcullisManagedCaTimer?: NodeJS.Timeout };

export async function runManagedCaMaintenance(now = new Date()): Promise<void> {
  try {
    const r = await maintainManagedCas(await getDb(), now);
    if (r.reissued || r.retired) console.log(`[managed-ca] CRLs re-signed: ${r.reissued}; CAs retired: ${r.retired}`);
  } catch (e) {
    console.error("[managed-ca] maintenance failed:", e instanceof Error ? e.message : e);
  }
}

export function startManagedCaJobs(): void {
  if (g.__portcullisManagedCaTimer) return;
  void runManagedCaMaintenance();
  g.__portcullisManagedCaTimer = setInterval(() => void runManagedCaMaintenance(), MANAGED_CA_TICK_MS);
  g.__portcullisManagedCaTimer.unref();
}
