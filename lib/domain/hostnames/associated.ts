/** The per-hostname settings forms may only set hostnames that an mTLS certificate is associated with. */
import { inArray } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { certificateHostnames } from "../../db/schema";
import { fail } from "../core/result";

/** A validation failure naming `hostname` when no mTLS certificate is associated with it, else null. */
export async function unlessAssociated(tx: Tx, hostname: string) {
  const [assoc] = await tx.select({ hostname: certificateHostnames.hostname }).from(certificateHostnames).where(inArray(certificateHostnames.hostname, [hostname])).limit(1);
  if (assoc) return null;
  const message = `${hostname} is not an associated hostname of any mTLS certificate.`;
  return fail("validation", message, { hostname: [message] });
}
