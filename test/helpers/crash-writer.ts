/**
 * Child process for the crash test: commits numbered rows one transaction at a time and prints
 * "ACK n" only after each commit returned. The parent SIGKILLs it mid-stream.
 */
import { count, like } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { settings } from "@/lib/db/schema";

async function main() {
  const db = await getDb();
  // Continue after what a previous (killed) run committed.
  const [{ done }] = await db.select({ done: count() }).from(settings).where(like(settings.key, "crash-%"));
  process.stdout.write("READY\n");
  for (let n = done + 1; ; n++) {
    await db.transaction(async (tx) => {
      await tx.insert(settings).values({ key: `crash-${n}`, value: { n, pad: "x".repeat(200) } });
    });
    process.stdout.write(`ACK ${n}\n`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
