/**
 * Access-log rows of the decisions nginx answered from its cache (./decision-cache): nginx appends one line per
 * cached hit to a file in the engine's directory (buffered, flushed every 250 ms); this reads what was appended,
 * a few times a second, and records each line as the row the request path would have written. Past 16 MiB the file
 * is rotated: renamed, nginx told to reopen its logs (`reopen`), and the old file read to its end a moment later.
 */
import { closeSync, openSync, readSync, renameSync, statSync, unlinkSync } from "node:fs";
import type { AccessLogEntry } from "../../domain/access-log";
import { chainOf } from "./peer";

const POLL_MS = 200;
const ROTATE_AT = 16 * 1024 * 1024;

/** One hit-log line (`$msec $portcullis_log $ssl_client_escaped_cert`) as an access-log entry, or null. */
export function parseHitLine(line: string): AccessLogEntry | null {
  const [msec, row, cert] = line.split(" ");
  if (!msec || !row || row === "-") return null;
  try {
    const entry = JSON.parse(Buffer.from(row, "base64url").toString("utf8")) as Omit<AccessLogEntry, "at" | "chain">;
    return { ...entry, at: new Date(Math.round(Number(msec) * 1000)), chain: cert && cert !== "-" ? chainOf(cert) : [] };
  } catch {
    return null;
  }
}

export interface HitLog {
  /** read what is there now (nginx flushed), then stop */
  close(): void;
}

interface Cursor {
  path: string;
  offset: number;
  partial: string;
}

/** Read what was appended to `c.path` since the last read; each whole line goes to `sink`. */
function readNew(c: Cursor, sink: (e: AccessLogEntry) => void): void {
  let size: number;
  try {
    size = statSync(c.path).size;
  } catch {
    return; // not written yet
  }
  if (size <= c.offset) return;
  const fd = openSync(c.path, "r");
  try {
    const buf = Buffer.alloc(size - c.offset);
    const n = readSync(fd, buf, 0, buf.length, c.offset);
    c.offset += n;
    const lines = (c.partial + buf.subarray(0, n).toString("latin1")).split("\n");
    c.partial = lines.pop() ?? "";
    for (const l of lines) {
      const e = parseHitLine(l.trim());
      if (e) sink(e);
    }
  } finally {
    closeSync(fd);
  }
}

/** Follow nginx's hit log; `reopen` makes nginx reopen its log files (SIGUSR1) after a rotation. */
export function tailHitLog(file: string, sink: (e: AccessLogEntry) => void, reopen: () => void): HitLog {
  let cur: Cursor = { path: file, offset: 0, partial: "" };
  const draining = new Set<Cursor>();
  const drain = (c: Cursor) => {
    readNew(c, sink);
    draining.delete(c);
    try {
      unlinkSync(c.path);
    } catch {
      /* already gone */
    }
  };
  const read = () => {
    readNew(cur, sink);
    if (cur.offset < ROTATE_AT) return;
    const old: Cursor = { ...cur, path: `${file}.${Date.now()}` };
    renameSync(file, old.path);
    reopen();
    cur = { path: file, offset: 0, partial: "" };
    // nginx's workers write to the renamed file until they reopen (at once) and flush within 250 ms.
    draining.add(old);
    setTimeout(() => drain(old), 2000).unref();
  };
  const timer = setInterval(() => {
    try {
      read();
    } catch (e) {
      console.error(`[gateway nginx] hit log not read: ${(e as Error).message}`);
    }
  }, POLL_MS);
  timer.unref();
  return {
    close() {
      clearInterval(timer);
      for (const c of draining) drain(c);
      readNew(cur, sink);
    },
  };
}
