/**
 * Writing the gateway access log: one row per decision, queued in memory and inserted in batches off the request path
 * (`recordAccess` never awaits the database); identical requests of the same second are folded into one row (./fold).
 * Rows are queued as COPY text lines (./line): recorded here, or formatted by a gateway worker and queued as its
 * batch's one string (`recordAccessLines`).
 *
 * Each row keeps the normalised request path and the certificates the client presented (so Explain can replay the
 * request), the certificates by reference: their SHA-256 (leaf first) in `chain_sha256`, the DER once per certificate
 * in client_certificates_seen. A batch upserts only certificates this process has not written in the last
 * CERT_REFRESH_MS (a bounded in-memory map), with the rows in one transaction; retention relies on that refresh
 * interval to never delete a certificate a row being written still needs (lib/domain/retention).
 */
import { sql } from "drizzle-orm";
import { getDbHandle } from "../../db/client";
import { FoldedRows } from "./fold";
import { accessLogRest, chainLiteral, COPY_COLUMNS, loggedChain, parseLines, sha256Hex, type AccessLogEntry } from "./line";
import { flushUnknownHosts } from "./unknown-hosts";

export { MAX_LOGGED_CHAIN, MAX_LOGGED_PATH, type AccessLogEntry } from "./line";

const BATCH = 2000;
/**
 * How long rows wait for the next insert (unless BATCH rows are queued). Each insert is a transaction in the database
 * process whatever its size: on PGlite, which runs in the gateway's primary beside its workers, one COPY of a few
 * folded rows cost about 3 ms of CPU under the bench's keep-alive load, so a flush every second instead of every
 * 250 ms took about 10 ms of CPU per second off that process. A row shows in the console at most about a second late.
 */
const FLUSH_MS = 1000;
/** Beyond this many queued rows (database down), new rows are dropped and counted. */
const MAX_QUEUE = 50_000;
/** Rows recorded in this process go into one chunk until it has this many. */
const LOCAL_CHUNK = 200;

/** Rows as COPY text lines (./line), with the certificates they reference (SHA-256 hex → DER). */
interface Chunk {
  lines: string;
  rows: number;
  certs: Map<string, Uint8Array>;
  /** While the chunk still takes rows recorded in this process: those rows (`lines` is filled when it stops). */
  open: FoldedRows | null;
}

/** A chunk takes no more rows: its folded rows become its lines. */
function seal(c: Chunk): void {
  if (c.open) {
    c.lines += c.open.take();
    c.open = null;
  }
}

interface Queue {
  chunks: Chunk[];
  rows: number;
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
  dropped: number;
}
const g = globalThis as { __portcullisAccessLogLines?: Queue };
const q = (g.__portcullisAccessLogLines ??= { chunks: [], rows: 0, timer: null, flushing: null, dropped: 0 });

/** A certificate this process wrote less than this long ago is not written again (its last_seen is that recent). */
export const CERT_REFRESH_MS = 10 * 60_000;
/** Certificates remembered as recently written (beyond it, the oldest are forgotten and simply written again). */
const RECENT_CERTS = 20_000;

/** SHA-256 hex → when this process last wrote it (insertion order = write order) */
const gc = globalThis as { __portcullisWrittenCerts?: Map<string, number> };
const written = (gc.__portcullisWrittenCerts ??= new Map());

/** Forget what this process wrote (tests that empty the table call it). */
export function forgetWrittenCertificates(): void {
  written.clear();
}

function schedule(): void {
  if (q.rows >= BATCH) void flushAccessLog();
  else if (!q.timer) {
    q.timer = setTimeout(() => void flushAccessLog(), FLUSH_MS);
    q.timer.unref();
  }
}

/** Queue one decision; returns at once. */
export function recordAccess(entry: AccessLogEntry): void {
  if (q.rows >= MAX_QUEUE) {
    q.dropped++;
    return;
  }
  let c = q.chunks[q.chunks.length - 1];
  if (!c?.open || c.rows >= LOCAL_CHUNK) {
    if (c) seal(c);
    q.chunks.push((c = { lines: "", rows: 0, certs: new Map(), open: new FoldedRows() }));
  }
  const chain = loggedChain(entry.chain);
  let literal: string | null = null;
  if (chain) {
    const hexes = chain.map(sha256Hex);
    for (let i = 0; i < hexes.length; i++) if (!c.certs.has(hexes[i])) c.certs.set(hexes[i], chain[i]);
    literal = chainLiteral(hexes);
  }
  // A request folded into a row of this chunk adds no row.
  if (!c.open!.add(entry.at, accessLogRest(entry, literal))) return;
  c.rows++;
  q.rows++;
  schedule();
}

/**
 * Queue rows a gateway worker formatted (./line `accessLogLine`, `rows` of them) with the certificates they reference
 * (SHA-256 hex and DER, each once); returns at once.
 */
export function recordAccessLines(lines: string, rows: number, certs: Iterable<readonly [string, Uint8Array]>): void {
  if (!(rows > 0)) return;
  if (q.rows + rows > MAX_QUEUE) {
    q.dropped += rows;
    return;
  }
  q.chunks.push({ lines, rows, certs: new Map(certs), open: null });
  q.rows += rows;
  schedule();
}

interface PgliteLike {
  query(q: string, params?: unknown[], options?: { blob?: Blob }): Promise<unknown>;
  transaction<T>(fn: (tx: PgliteLike) => Promise<T>): Promise<T>;
}

const UPSERT_SEEN = `insert into client_certificates_seen as c (sha256, der, first_seen, last_seen)
  select sha256, decode(der, 'base64'), $1, $1 from json_to_recordset($2::json) as s(sha256 text, der text)
  on conflict (sha256) do update set last_seen = greatest(c.last_seen, excluded.last_seen)`;

/**
 * One batch: on PGlite a COPY of the lines (about two thirds of the CPU of the JSON statement below, which PGlite spends
 * in the database process the gateway's workers share the cores with), in one transaction with the certificates when
 * there are any to write; on PostgreSQL one statement with the rows as a single JSON parameter (building a 500-row ×
 * 11-column insert with the query builder cost more CPU than the gateway's request handling itself).
 */
async function insertBatch(batch: Chunk[]): Promise<void> {
  const now = Date.now();
  // Certificates to (re)write: not written by this process within CERT_REFRESH_MS; each once per batch.
  const fresh = new Map<string, Uint8Array>();
  let lines = "";
  for (const c of batch) {
    lines += c.lines;
    for (const [h, der] of c.certs) {
      if (fresh.has(h)) continue;
      const at = written.get(h);
      if (at === undefined || now - at >= CERT_REFRESH_MS) fresh.set(h, der);
    }
  }
  const seen = JSON.stringify([...fresh].map(([sha256, der]) => ({ sha256, der: Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64") })));
  const handle = await getDbHandle();
  if (handle.engine === "pglite") {
    const pg = handle.raw as PgliteLike;
    const copy = (c: PgliteLike) => c.query(`copy access_log (${COPY_COLUMNS}) from '/dev/blob'`, [], { blob: new Blob([lines]) });
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
    insert into access_log (${sql.raw(COPY_COLUMNS)})
    select ${sql.raw(COPY_COLUMNS)}
    from json_to_recordset(${JSON.stringify(parseLines(lines))}::json) as x(at timestamptz, hostname text, application_id uuid, application_name text, client_cn text,
      serial_number text, decision text, policy_id uuid, policy_name text, reason text, ip text, path text, chain_sha256 text[], requests integer)`);
  }
  for (const h of fresh.keys()) {
    written.delete(h);
    written.set(h, now);
  }
  while (written.size > RECENT_CERTS) written.delete(written.keys().next().value as string);
}

/** Rows not stored because the database could not be reached (or failed otherwise): they are queued again. */
interface Unstored {
  error: unknown;
  chunks: Chunk[];
  rows: number;
}

/**
 * Whether the database refused the data itself (SQLSTATE classes 22, data exception, and 23, integrity constraint
 * violation) rather than failing to take it: trying the same rows again would fail the same way.
 */
function refusedByDatabase(e: unknown): boolean {
  const err = e as { code?: unknown; cause?: { code?: unknown } };
  const code = err?.code ?? err?.cause?.code;
  return typeof code === "string" && /^2[23]/.test(code);
}

/** The database's own message: drizzle's error wraps it in one that repeats the whole statement and its rows. */
const messageOf = (e: unknown) => ((e as { cause?: Error }).cause ?? (e as Error)).message;

/**
 * A batch the database refused: one bad row must not hold up the rows around it (or, retried first forever, every
 * row after it). The batch is halved until each refused row is alone; those rows are dropped with one error naming
 * how many and why, every other row is stored. If the database fails otherwise meanwhile, the rows not stored yet
 * are returned, to be queued again.
 */
async function insertIsolating(batch: Chunk[]): Promise<Unstored | null> {
  const certs = new Map<string, Uint8Array>();
  for (const c of batch) for (const [h, der] of c.certs) certs.set(h, der);
  const lines = batch.flatMap((c) => c.lines.split("\n").filter(Boolean).map((l) => `${l}\n`));
  const chunk = (part: string[]): Chunk => ({ lines: part.join(""), rows: part.length, certs, open: null });
  // Both halves, the first one last (it is stored next).
  const halve = (part: string[]) => [part.slice(part.length >> 1), part.slice(0, part.length >> 1)];
  // Parts still to store, the next on top.
  const stack = halve(lines);
  let refused = 0;
  let reason = "";
  while (stack.length) {
    const part = stack.pop()!;
    if (!part.length) continue;
    try {
      await insertBatch([chunk(part)]);
    } catch (e) {
      if (!refusedByDatabase(e)) {
        const left = [part, ...stack.reverse()];
        return { error: e, chunks: left.map(chunk), rows: left.reduce((n, p) => n + p.length, 0) };
      }
      if (part.length > 1) stack.push(...halve(part));
      else {
        refused++;
        reason = messageOf(e);
      }
    }
  }
  if (refused) console.error(`[access-log] ${refused} ${refused === 1 ? "row was" : "rows were"} dropped: the database refused ${refused === 1 ? "it" : "them"} (${reason})`);
  return null;
}

/** Insert everything queued so far, and the unknown-host counts (tests and shutdown await it). */
export async function flushAccessLog(): Promise<void> {
  await flushUnknownHosts();
  if (q.timer) {
    clearTimeout(q.timer);
    q.timer = null;
  }
  while (q.flushing) await q.flushing;
  if (!q.rows) return;
  q.flushing = (async () => {
    while (q.rows) {
      // Whole chunks, up to BATCH rows (at least one chunk).
      let n = 0;
      let k = 0;
      while (k < q.chunks.length && (k === 0 || n + q.chunks[k].rows <= BATCH)) n += q.chunks[k++].rows;
      const batch = q.chunks.splice(0, k);
      for (const c of batch) seal(c);
      q.rows -= n;
      let failed: Unstored | null = null;
      try {
        await insertBatch(batch);
      } catch (e) {
        failed = refusedByDatabase(e) ? await insertIsolating(batch) : { error: e, chunks: batch, rows: n };
      }
      if (failed) {
        // Keep the rows for the next attempt unless the queue is full.
        if (q.rows + failed.rows <= MAX_QUEUE) {
          q.chunks.unshift(...failed.chunks);
          q.rows += failed.rows;
        } else q.dropped += failed.rows;
        console.error("[access-log] insert failed:", messageOf(failed.error));
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
