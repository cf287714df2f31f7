import path from "node:path";
import type { NodePgDatabase } from "drizzle-orm/node-postgres";
import type { PoolClient } from "pg";
import { env } from "../env.mjs";
import * as schema from "./schema";

/**
 * One drizzle API over two engines. PGlite (embedded, default) and node-postgres expose the same
 * pg-core query builder; we type both as NodePgDatabase so callers see one surface.
 */
export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface DbHandle {
  db: Db;
  engine: "pglite" | "postgres";
  /** Run a raw health query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Engine-specific handle (PGlite or pg.Pool), for LISTEN/NOTIFY and tests. */
  raw: unknown;
}

interface DbGlobal {
  __portcullisDb?: Promise<DbHandle>;
}
const g = globalThis as DbGlobal;

export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ env().PORTCULLIS_DATA_DIR || path.join(process.cwd(), "data"));
}

export function migrationsDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ env().PORTCULLIS_MIGRATIONS_DIR || path.join(process.cwd(), "drizzle"));
}

async function openPglite(dir: string): Promise<DbHandle> {
  const { mkdirSync } = await import("node:fs");
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  mkdirSync(dir, { recursive: true });
  const client = new PGlite(path.join(dir, "pglite"));
  await client.waitReady;
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: migrationsDir() });
  return {
    db: db as unknown as Db,
    engine: "pglite",
    raw: client,
    ping: async () => {
      await client.query("select 1");
    },
    close: () => client.close(),
  };
}

async function openPostgres(url: string): Promise<DbHandle> {
  const pg = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new pg.default.Pool({
    connectionString: url,
    max: env().DATABASE_POOL_SIZE ?? 10,
    connectionTimeoutMillis: 3000,
    // A statement that cannot finish in time fails fast instead of hanging a request.
    statement_timeout: 15000,
  });
  // An idle client whose server went away must not crash the process.
  pool.on("error", (err) => console.error("[db] idle client error:", err.message));
  // A connection that drops while checked out must fail its query, not crash the process.
  pool.on("connect", (client) => client.on("error", (err) => console.error("[db] connection error:", err.message)));
  const db = drizzle(pool, { schema });
  // drizzle's pool transaction() sends BEGIN before its try/finally: a BEGIN that fails (connection lost)
  // never releases its client, and each such failure shrinks the pool for good until every request waits
  // for a connection. Check the client out here and always release it (a dead one is dropped by the pool).
  const perClient = new WeakMap<PoolClient, NodePgDatabase<typeof schema>>();
  db.transaction = async (fn, config) => {
    const client = await pool.connect();
    try {
      let onClient = perClient.get(client);
      if (!onClient) perClient.set(client, (onClient = drizzle(client, { schema })));
      return await onClient.transaction(fn, config);
    } finally {
      client.release();
    }
  };
  // Several instances may start at once: serialise migrations with an advisory lock.
  const lockClient = await pool.connect();
  try {
    await lockClient.query("select pg_advisory_lock(727271)");
    await migrate(db, { migrationsFolder: migrationsDir() });
  } finally {
    await lockClient.query("select pg_advisory_unlock(727271)").catch(() => undefined);
    lockClient.release();
  }
  return {
    db,
    engine: "postgres",
    raw: pool,
    ping: async () => {
      await pool.query("select 1");
    },
    close: () => pool.end(),
  };
}

/** Open (once per process) and migrate the database. Never called during `next build`. */
export function getDbHandle(): Promise<DbHandle> {
  if (process.env.NEXT_PHASE === "phase-production-build") {
    throw new Error("The database is not opened during next build");
  }
  if (!g.__portcullisDb) {
    const url = env().DATABASE_URL;
    const opening = url ? openPostgres(url) : openPglite(dataDir());
    g.__portcullisDb = opening.then(async (handle) => {
      const { bootstrap } = await import("./bootstrap");
      await bootstrap(handle.db);
      return handle;
    });
    // A failed open must not poison the process: the next call retries.
    g.__portcullisDb.catch(() => {
      g.__portcullisDb = undefined;
    });
  }
  return g.__portcullisDb;
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}

/** For tests: close and forget the process-wide handle. */
export async function closeDb(): Promise<void> {
  const handle = g.__portcullisDb;
  g.__portcullisDb = undefined;
  if (handle) await (await handle).close();
}
