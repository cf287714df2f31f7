import { eq } from "drizzle-orm";
import type { DbOrTx } from "./client";
import { settings } from "./schema";

export async function getSetting<T>(db: DbOrTx, key: string): Promise<T | undefined> {
  const rows = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, key)).limit(1);
  return rows[0]?.value as T | undefined;
}

export async function setSetting(db: DbOrTx, key: string, value: unknown): Promise<void> {
  await db
    .insert(settings)
    .values({ key, value })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } });
}

/** Insert only if absent; returns the stored value (ours or a concurrent instance's). */
export async function ensureSetting<T>(db: DbOrTx, key: string, make: () => T): Promise<T> {
  await db.insert(settings).values({ key, value: make() }).onConflictDoNothing();
  return (await getSetting<T>(db, key)) as T;
}
