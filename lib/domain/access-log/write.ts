/**
 * Writing the gateway access log: one row per decision, queued in memory and inserted in batches off the request path
 * (`recordAccess` never awaits the database).
 *
 * Each row keeps the normalised request path and the certificates the client presented (so Explain can replay the
 * request), the certificates by reference: their SHA-256 (leaf first) in `chain_sha256`, the DER once per certificate
 * in client_certificates_seen. A batch upserts only certificates this process has not written in the last
 * CERT_REFRESH_MS (a bounded in-memory map), with the rows in one transaction; retention relies on that refresh
 * interval to never delete a certificate a row being written still needs (lib/domain/retention).
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { getDbHandle } from "../../db/client";
import type { AccessLogDto } from "./index";
import { flushUnknownHosts } from "./unknown-hosts";

export interface AccessLogEntry {
  at: Date;
  hostname: string;
  applicationId: string | null;
  applicationName: string | null;
  clientCn: string | null;
  serialNumber: string | null;
  decision: "allow" | "deny";
  policyId: string | null;
  policyName: string | null;
  reason: string | null;
  ip: string | null;
  /** The request path after normalisation (query included); absent when the request target was refused. */
  path?: string | null;
  /** The certificates the client presented, DER, leaf first (the gateway's Buffers; read, never written to). */
  chain?: readonly Uint8Array[] | null;
}

const BATCH = 2000;
const FLUSH_MS = 250;
/** Beyond this many queued rows (database down), new rows are dropped and counted. */
const MAX_QUEUE = 50_000;

interface Queue {
  rows: AccessLogEntry[];
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
  dropped: number;
}
const g = globalThis as { __portcullisAccessLog?: Queue };
const q = (g.__portcullisAccessLog ??= { rows: [], timer: null, flushing: null, dropped: 0 });

const clip = (s: string | null, n: number) => (s && s.length > n ? s.slice(0, n) : s);

/** Longest path kept (a request target is bounded by the HTTP parser's header limit anyway). */
export const MAX_LOGGED_PATH = 4096;
/** Most certificates kept per row (real client chains have 1–4). */
export const MAX_LOGGED_CHAIN = 16;
/** A certificate this process wrote less than this long ago is not written again (its last_seen is that recent). */
export const CERT_REFRESH_MS = 10 * 60_000;
/** Certificates remembered as recently written (beyond it, the oldest are forgotten and simply written again). */
const RECENT_CERTS = 20_000;

interface CertMemo {
  /** SHA-256 hex → when this process last wrote it (insertion order = write order) */
  written: Map<string, number>;
  /** per DER object: its SHA-256 hex (a keep-alive connection's chain is hashed once, not per request) */
  hashes: WeakMap<object, string>;
}
const gc = globalThis as { __portcullisSeenCerts?: CertMemo };
const certs = (gc.__portcullisSeenCerts ??= { written: new Map(), hashes: new WeakMap() });

function sha256Hex(der: Uint8Array): string {
  let h = certs.hashes.get(der);
  if (!h) {
    h = createHash("sha256").update(der).digest("hex");
    certs.hashes.set(der, h);
  }
  return h;
}

/** Forget what this process wrote (tests that empty the table call it). */
export function forgetWrittenCertificates(): void {
  certs.written.clear();
}

/** Queue one decision; returns at once. */
export function recordAccess(entry: AccessLogEntry): void {
  if (q.rows.length >= MAX_QUEUE) {
    q.dropped++;
    return;
  }
  const chain = entry.chain?.length ? (entry.chain.length > MAX_LOGGED_CHAIN ? entry.chain.slice(0, MAX_LOGGED_CHAIN) : entry.chain) : null;
  q.rows.push({
    ...entry,
    reason: clip(entry.reason, 1000),
    clientCn: clip(entry.clientCn, 500),
    hostname: entry.hostname.slice(0, 253),
    path: clip(entry.path ?? null, MAX_LOGGED_PATH),
    chain,
  });
  if (q.rows.length >= BATCH) void flushAccessLog();
  else if (!q.timer) {
    q.timer = setTimeout(() => void flushAccessLog(), FLUSH_MS);
    q.timer.unref();
  }
}

/** The columns a batch writes, in the order of both statements below. */
const COLUMNS = "at, hostname, application_id, application_name, client_cn, serial_number, decision, policy_id, policy_name, reason, ip, path, chain_sha256";

/** A row as the statements take it (text NUL-free: PostgreSQL text cannot hold NUL, and a certificate's CN could). */
type Row = Omit<AccessLogDto, "id" | "at" | "chain_sha256"> & { at: Date; chain_sha256: string[] | null };

/** COPY text format: backslash, tab, newline and carriage return escaped; \N is NULL. */
const copyText = (s: string | null) => (s === null ? "\\N" : /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : s);

/** The rows as COPY text (one line per row; chain_sha256 as an array literal of hex strings, which need no quoting). */
function copyLines(rows: Row[]): string {
  let out = "";
  for (const r of rows) {
    out += `${r.at.toISOString()}\t${copyText(r.hostname)}\t${copyText(r.application_id)}\t${copyText(r.application_name)}\t${copyText(r.client_cn)}\t${copyText(r.serial_number)}\t${r.decision}\t${copyText(r.policy_id)}\t${copyText(r.policy_name)}\t${copyText(r.reason)}\t${copyText(r.ip)}\t${copyText(r.path)}\t${r.chain_sha256 ? `{${r.chain_sha256.join(",")}}` : "\\N"}\n`;
  }
  return out;
}

interface PgliteLike {
  query(q: string, params?: unknown[], options?: { blob?: Blob }): Promise<unknown>;
  transaction<T>(fn: (tx: PgliteLike) => Promise<T>): Promise<T>;
}

const UPSERT_SEEN = `insert into client_certificates_seen as c (sha256, der, first_seen, last_seen)
  select sha256, decode(der, 'base64'), $1, $1 from json_to_recordset($2::json) as s(sha256 text, der text)
  on conflict (sha256) do update set last_seen = greatest(c.last_seen, excluded.last_seen)`;

/**
 * One batch: on PGlite a COPY of the rows (about two thirds of the CPU of the JSON statement below, which PGlite spends
 * in the database process the gateway's workers share the cores with), in one transaction with the certificates when
 * there are any to write; on PostgreSQL one statement with the rows as a single JSON parameter (building a 500-row ×
 * 11-column insert with the query builder cost more CPU than the gateway's request handling itself).
 */
async function insertBatch(batch: AccessLogEntry[]): Promise<void> {
  const t = (s: string | null | undefined) => (s && s.includes("\0") ? s.replaceAll("\0", "") : (s ?? null));
  const now = Date.now();
  // Certificates to (re)write: not written by this process within CERT_REFRESH_MS; each once per batch.
  const fresh = new Map<string, Uint8Array>();
  const rows: Row[] = batch.map((e) => {
    let chain: string[] | null = null;
    if (e.chain?.length) {
      chain = e.chain.map((der) => {
        const h = sha256Hex(der);
        if (!fresh.has(h)) {
          const written = certs.written.get(h);
          if (written === undefined || now - written >= CERT_REFRESH_MS) fresh.set(h, der);
        }
        return h;
      });
    }
    return {
      at: e.at, hostname: t(e.hostname) ?? "", application_id: e.applicationId, application_name: t(e.applicationName), client_cn: t(e.clientCn),
      serial_number: t(e.serialNumber), decision: e.decision, policy_id: e.policyId, policy_name: t(e.policyName), reason: t(e.reason), ip: t(e.ip),
      path: t(e.path), chain_sha256: chain,
    };
  });
  const seen = JSON.stringify([...fresh].map(([sha256, der]) => ({ sha256, der: Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64") })));
  const handle = await getDbHandle();
  if (handle.engine === "pglite") {
    const pg = handle.raw as PgliteLike;
    const copy = (c: PgliteLike) => c.query(`copy access_log (${COLUMNS}) from '/dev/blob'`, [], { blob: new Blob([copyLines(rows)]) });
    // The certificates land with the rows that reference them, or neither does.
    if (fresh.size) await pg.transaction(async (tx) => {
      await tx.query(UPSERT_SEEN, [new Date(now), seen]);
      await copy(tx);
    });
    else await copy(pg);
  } else {
    // One statement: the certificates land with the rows that reference them, or neither does.
    await handle.db.execute(sql`with seen as (
      insert into client_certificates_seen as c (sha256, der, first_seen, last_seen)
      select sha256, decode(der, 'base64'), ${new Date(now)}, ${new Date(now)} from json_to_recordset(${seen}::json) as s(sha256 text, der text)
      on conflict (sha256) do update set last_seen = greatest(c.last_seen, excluded.last_seen)
      returning 1
    )
    insert into access_log (${sql.raw(COLUMNS)})
    select ${sql.raw(COLUMNS)}
    from json_to_recordset(${JSON.stringify(rows)}::json) as x(at timestamptz, hostname text, application_id uuid, application_name text, client_cn text,
      serial_number text, decision text, policy_id uuid, policy_name text, reason text, ip text, path text, chain_sha256 text[])`);
  }
  for (const h of fresh.keys()) {
    certs.written.delete(h);
    certs.written.set(h, now);
  }
  while (certs.written.size > RECENT_CERTS) certs.written.delete(certs.written.keys().next().value as string);
}

/** Insert everything queued so far, and the unknown-host counts (tests and shutdown await it). */
export async function flushAccessLog(): Promise<void> {
  await flushUnknownHosts();
  if (q.timer) {
    clearTimeout(q.timer);
    q.timer = null;
  }
  while (q.flushing) await q.flushing;
  if (!q.rows.length) return;
  q.flushing = (async () => {
    while (q.rows.length) {
      const batch = q.rows.splice(0, BATCH);
      try {
        await insertBatch(batch);
      } catch (e) {
        // Keep the rows for the next attempt unless the queue is full.
        if (q.rows.length + batch.length <= MAX_QUEUE) q.rows.unshift(...batch);
        else q.dropped += batch.length;
        console.error("[access-log] insert failed:", (e as Error).message);
        if (!q.timer) {
          q.timer = setTimeout(() => void flushAccessLog(), 2000);
          q.timer.unref();
        }
        return;
      }
    }
    if (q.dropped) {
      console.error(`[access-log] ${q.dropped} entries were dropped while the database was unavailable`);
      q.dropped = 0;
    }
  })().finally(() => {
    q.flushing = null;
  });
  await q.flushing;
}
