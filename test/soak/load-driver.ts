/**
 * Mixed read/write load over the real HTTP API (/client/v4): each client owns its objects, so the
 * expected final state is exactly what the acknowledged operations imply. Used by the 10 s
 * integration test and by the 60 s soak / crash / outage tests.
 */

export interface LoadOptions {
  baseURL: string; // http://host:port/client/v4
  accountId: string;
  tokens: string[]; // one edit token per client
  durationMs: number;
  /** Per-request timeout; a request slower than this counts as a hang. */
  requestTimeoutMs?: number;
  /** Tag put into every name so that runs never collide. */
  tag: string;
  /** Stop early (crash tests). */
  signal?: AbortSignal;
}

export interface AckedOp {
  action: "policy.create" | "policy.update" | "policy.delete" | "application.create" | "application.delete";
  resourceId: string;
}

export interface LoadReport {
  requests: number;
  statuses: Record<string, number>;
  fiveXX: { method: string; path: string; status: number; body: string }[];
  /** Requests that failed without an HTTP answer (other than an intended abort). */
  networkErrors: string[];
  /** Requests that took longer than requestTimeoutMs. */
  hangs: number;
  /** Non-2xx answers to operations that should have succeeded (excluding 5xx, listed above). */
  unexpected: { method: string; path: string; status: number; body: string }[];
  acked: AckedOp[];
  /** Final expected objects: id → name. */
  policies: Map<string, string>;
  apps: Map<string, string>;
  /**
   * Writes whose outcome is unknown: no answer, or a 503 saying the database connection was lost while
   * committing (code 10014). They may or may not have been applied.
   */
  inDoubt: { kind: "policy" | "application"; name: string; id?: string }[];
  /** Writes refused with a 5xx that says nothing was changed (e.g. 503 "database unavailable"). */
  refused: { kind: "policy" | "application"; name: string; id?: string; status: number; code?: number }[];
  latenciesMs: number[];
}

/** The envelope fields the driver reads. */
interface Envelope {
  success?: boolean;
  result?: { id: string };
  errors?: { code: number; message: string }[];
}

/** The API's code for "the connection was lost while committing: the change may or may not have been saved". */
export const OUTCOME_UNKNOWN_CODE = 10014;

const policyBody = (name: string) => ({
  name,
  decision: "allow",
  include: [{ ip: { ip: "10.0.0.0/8" } }],
  session_duration: "24h",
});

export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = {
    requests: 0,
    statuses: {},
    fiveXX: [],
    networkErrors: [],
    hangs: 0,
    unexpected: [],
    acked: [],
    policies: new Map(),
    apps: new Map(),
    inDoubt: [],
    refused: [],
    latenciesMs: [],
  };
  const timeout = opts.requestTimeoutMs ?? 5000;
  const deadline = Date.now() + opts.durationMs;
  const base = `${opts.baseURL}/accounts/${opts.accountId}/access`;

  async function call(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Envelope | null } | null> {
    report.requests++;
    const started = Date.now();
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new Error("hang")), timeout * 3);
    const onAbort = () => ctrl.abort(new Error("stopped"));
    opts.signal?.addEventListener("abort", onAbort);
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctrl.signal,
      });
      const text = await res.text();
      const ms = Date.now() - started;
      report.latenciesMs.push(ms);
      if (ms > timeout) report.hangs++;
      report.statuses[res.status] = (report.statuses[res.status] ?? 0) + 1;
      if (res.status >= 500) report.fiveXX.push({ method, path, status: res.status, body: text.slice(0, 300) });
      let json: Envelope | null = null;
      try {
        json = JSON.parse(text);
      } catch {
        report.unexpected.push({ method, path, status: res.status, body: `not JSON: ${text.slice(0, 200)}` });
      }
      return { status: res.status, json };
    } catch (err) {
      if (Date.now() - started > timeout) report.hangs++;
      if (!opts.signal?.aborted) report.networkErrors.push(`${method} ${path}: ${(err as Error).message}`);
      return null;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  const unknownOutcome = (r: { status: number; json: Envelope | null }) => r.status === 503 && r.json?.errors?.some((e) => e.code === OUTCOME_UNKNOWN_CODE) === true;

  const expectOk = (r: { status: number; json: Envelope | null }, method: string, path: string) => {
    if (r.status < 300 && r.json?.success === true) return true;
    if (r.status < 500) report.unexpected.push({ method, path, status: r.status, body: JSON.stringify(r.json).slice(0, 300) });
    return false;
  };

  type Write = { kind: "policy" | "application"; name: string; id?: string };
  /** Files a write's outcome: in doubt, refused (5xx: nothing changed), unexpected (4xx), or acknowledged (true). */
  const settle = (r: { status: number; json: Envelope | null } | null, method: string, path: string, what: Write): r is { status: number; json: Envelope | null } => {
    if (!r || unknownOutcome(r)) {
      report.inDoubt.push(what);
      return false;
    }
    if (r.status >= 500) {
      report.refused.push({ ...what, status: r.status, code: r.json?.errors?.[0]?.code });
      return false;
    }
    return expectOk(r, method, path);
  };

  async function client(i: number) {
    const token = opts.tokens[i % opts.tokens.length];
    const mine = { policies: new Map<string, string>(), apps: new Map<string, string>() };
    let n = 0;
    const pick = <T>(m: Map<string, T>) => [...m.keys()][Math.floor(Math.random() * m.size)];
    while (Date.now() < deadline && !opts.signal?.aborted) {
      n++;
      const roll = Math.random();
      if (roll < 0.3) {
        const r = await call(token, "GET", Math.random() < 0.5 ? "/policies?per_page=20" : "/apps?per_page=20");
        if (r && r.status !== 200 && r.status < 500) report.unexpected.push({ method: "GET", path: "list", status: r.status, body: JSON.stringify(r.json).slice(0, 300) });
      } else if (roll < 0.5 || mine.policies.size === 0) {
        const name = `${opts.tag}-p${i}-${n}`;
        const r = await call(token, "POST", "/policies", policyBody(name));
        if (settle(r, "POST", "/policies", { kind: "policy", name })) {
          mine.policies.set(r.json!.result!.id, name);
          report.acked.push({ action: "policy.create", resourceId: r.json!.result!.id });
        }
      } else if (roll < 0.65) {
        const id = pick(mine.policies);
        const name = `${opts.tag}-p${i}-${n}-renamed`;
        const r = await call(token, "PUT", `/policies/${id}`, policyBody(name));
        if (settle(r, "PUT", `/policies/${id}`, { kind: "policy", name, id })) {
          mine.policies.set(id, name);
          report.acked.push({ action: "policy.update", resourceId: id });
        }
      } else if (roll < 0.75) {
        const id = pick(mine.policies);
        const r = await call(token, "DELETE", `/policies/${id}`);
        if (settle(r, "DELETE", `/policies/${id}`, { kind: "policy", name: mine.policies.get(id)!, id })) {
          mine.policies.delete(id);
          report.acked.push({ action: "policy.delete", resourceId: id });
        }
      } else if (roll < 0.9 || mine.apps.size === 0) {
        const name = `${opts.tag}-a${i}-${n}`;
        const r = await call(token, "POST", "/apps", { name, type: "self_hosted", domain: `${name}.load.example.com` });
        if (settle(r, "POST", "/apps", { kind: "application", name })) {
          mine.apps.set(r.json!.result!.id, name);
          report.acked.push({ action: "application.create", resourceId: r.json!.result!.id });
        }
      } else {
        const id = pick(mine.apps);
        const r = await call(token, "DELETE", `/apps/${id}`);
        if (settle(r, "DELETE", `/apps/${id}`, { kind: "application", name: mine.apps.get(id)!, id })) {
          mine.apps.delete(id);
          report.acked.push({ action: "application.delete", resourceId: id });
        }
      }
    }
    for (const [k, v] of mine.policies) report.policies.set(k, v);
    for (const [k, v] of mine.apps) report.apps.set(k, v);
  }

  await Promise.all(Array.from({ length: opts.tokens.length }, (_, i) => client(i)));
  return report;
}

/** Every object of this run, read back page by page through the API: id → name. */
export async function readBack(baseURL: string, accountId: string, token: string, kind: "policies" | "apps", tag: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let page = 1; ; page++) {
    const res = await fetch(`${baseURL}/accounts/${accountId}/access/${kind}?per_page=100&page=${page}`, { headers: { authorization: `Bearer ${token}` } });
    const json = (await res.json()) as { result: { id: string; name: string }[] };
    if (res.status !== 200) throw new Error(`read back ${kind}: ${res.status} ${JSON.stringify(json)}`);
    for (const r of json.result) if (r.name.startsWith(`${tag}-`)) out.set(r.id, r.name);
    if (json.result.length < 100) return out;
  }
}

/** Multiset of "action resourceId" strings, for comparing acknowledged writes with audit events. */
export const opKeys = (ops: { action: string; resourceId: string | null }[]) => ops.map((o) => `${o.action} ${o.resourceId}`).sort();
