/**
 * The differential matrix's environment: the PKIs (./pki, and the managed CA's certificates, ./managed-env), the
 * origin, the gateway (the node engine, and the nginx engine beside it when nginx is installed), `POST
 * /api/v1/test-mtls` over HTTP for `portcullis test`, and each configuration built through
 * lib/domain (certificates, the managed CA's hostnames, policies, applications) and torn down after its cases.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createApplication, deleteApplication } from "@/lib/domain/applications";
import { createCertificate, deleteCertificate, updateCertificate } from "@/lib/domain/certificates";
import { blockCertificate, unblockCertificate } from "@/lib/domain/blocked-certificates";
import { createPolicy, deletePolicy } from "@/lib/domain/policies";
import { createServiceToken, deleteServiceToken, updateServiceToken, type ServiceTokenWithSecret } from "@/lib/domain/service-tokens";
import { createFirstAdmin } from "@/lib/domain/users";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { startApiServer, type TestApiServer } from "../api/server";
import { adminActor } from "../helpers/actors";
import { startOrigin } from "../integration/gateway-fixtures";
import type { ConfigSpec } from "./generate";
import { GOOD_TOKEN } from "./identity";
import { issueManagedLeaves, type ManagedLeaves } from "./managed-env";
import { generateMatrixPki, type MatrixPki } from "./pki";

export interface Env {
  pki: MatrixPki;
  /** the managed CA's client certificates (null when the run has no managed cases) */
  managed: ManagedLeaves | null;
  origin: Awaited<ReturnType<typeof startOrigin>>;
  gw: Gateway;
  /** the same gateway with GATEWAY_ENGINE=nginx (nginx terminating TLS in front of the same request path), or null */
  gwNginx: Gateway | null;
  cacert: string;
  serverKey: string;
  api: TestApiServer;
  apiBase: string;
  token: string;
  dir: string;
}

export async function startEnv(hostnames: string[], managed: boolean, nginxEngine: boolean): Promise<Env> {
  const pki = generateMatrixPki();
  const origin = await startOrigin();
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-diff-"));
  const identity = loadServerCert({ dir: path.join(dir, "tls"), hostnames });
  const gw = await createGateway({ port: 0, host: "127.0.0.1", identity, engine: "node" });
  const gwNginx = nginxEngine ? await createGateway({ port: 0, host: "127.0.0.1", identity, engine: "nginx" }) : null;
  const u = await createFirstAdmin({ email: "diff-admin@test.example", name: "Diff", password: "diff-admin-password-1" }, null);
  if (!u.ok) throw new Error(u.error.message);
  const actor = { type: "user" as const, id: u.value.id, label: u.value.email, role: "admin" as const, permission: "edit" as const };
  const t = await createApiToken(actor, { name: "differential", permission: "read" });
  if (!t.ok) throw new Error(t.error.message);
  // The managed CA and its certificates, issued, revoked and reactivated through lib/domain as the API does.
  const managedLeaves = managed ? await issueManagedLeaves(dir) : null;
  // POST /api/v1/test-mtls behind a real HTTP server, as `next start` serves it, for `portcullis test`.
  const api = await startApiServer();
  return {
    pki, managed: managedLeaves, origin, gw, gwNginx, dir, api, token: t.value.secret,
    cacert: identity.certPath,
    serverKey: path.join(dir, "tls", "server.key"),
    apiBase: api.origin,
  };
}

export async function stopEnv(env: Env): Promise<void> {
  await env.gw.close();
  await env.gwNginx?.close();
  await env.origin.close();
  await env.api.close();
}

export interface Built {
  policyIds: string[];
  appIds: string[];
  certIds: string[];
  /** the identity cases' service tokens, the `/staff` application's AUD tag and the blocked certificate */
  identity?: { tokens: Record<"good" | "disabled", ServiceTokenWithSecret>; staffAud: string; blockedId: string };
  /** the managed CA whose hostname association this configuration set (cleared at teardown) */
  managedCaId?: string;
}

export const must = <T>(what: string, r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(`${what}: ${r.error.message}`);
  return r.value;
};

export async function build(env: Env, cfg: ConfigSpec): Promise<Built> {
  const certIds: string[] = [];
  for (const u of cfg.uploads) {
    const ca = env.pki.cas[u.ca];
    const certificate = u.form === "chain" ? ca.intermediatePem + ca.rootPem : ca.rootPem;
    const c = must(`certificate ${u.ca}`, await createCertificate(adminActor, { name: `c${cfg.index} ${u.ca} ${u.form}`, certificate, associated_hostnames: u.hostnames, ...(u.crl ? { crl: ca.crlPem } : {}) }));
    certIds.push(c.id);
  }
  // ./managed: the managed CA trusted on its hostname, as the Mutual TLS page or the hostname_associations API sets it.
  const managedCaId = cfg.managed && env.managed ? env.managed.caId : undefined;
  if (managedCaId) must("managed CA hostnames", await updateCertificate(adminActor, managedCaId, { associated_hostnames: [cfg.managed!.hostname] }));
  const policyIds: string[] = [];
  for (const p of cfg.policies) {
    const body = { name: p.name, decision: p.decision, include: p.include, ...(p.require.length ? { require: p.require } : {}), ...(p.exclude.length ? { exclude: p.exclude } : {}) };
    policyIds.push(must(`policy ${p.name}`, await createPolicy(adminActor, body)).id);
  }
  const appIds: string[] = [];
  for (const a of cfg.apps) {
    const app = must(`application ${a.name}`, await createApplication(adminActor, { name: a.name, domain: `${a.hostname}${a.path}`, policies: a.policies.map((i) => policyIds[i]), origin_url: env.origin.url }));
    appIds.push(app.id);
  }
  const identity = cfg.identity ? await buildIdentity(env, cfg, policyIds, appIds) : undefined;
  env.gw.reload();
  return { policyIds, appIds, certIds, identity, managedCaId };
}

/** ./identity: two service tokens (one disabled), the `/staff` and `/svc` applications, and the blocked leaf. */
async function buildIdentity(env: Env, cfg: ConfigSpec, policyIds: string[], appIds: string[]): Promise<Built["identity"]> {
  const id = cfg.identity!;
  const good = must("service token", await createServiceToken(adminActor, { name: `c${cfg.index} good` }));
  const disabled = must("service token", await createServiceToken(adminActor, { name: `c${cfg.index} disabled` }));
  must("disable token", await updateServiceToken(adminActor, disabled.id, { enabled: false }));
  let staffAud = "";
  for (const [i, p] of id.policies.entries()) {
    const include = p.include.map((r) => ("service_token" in r && r.service_token.token_id === GOOD_TOKEN ? { service_token: { token_id: good.id } } : r));
    const pid = must(`policy ${p.name}`, await createPolicy(adminActor, { name: p.name, decision: p.decision, include, ...(p.require.length ? { require: p.require } : {}) })).id;
    policyIds.push(pid);
    const app = must(`application ${p.name}`, await createApplication(adminActor, { name: p.name, domain: `${id.hostname}${id.paths[i]}`, policies: [pid], origin_url: env.origin.url }));
    appIds.push(app.id);
    if (i === 0) staffAud = app.aud;
  }
  const blocked = must("block", await blockCertificate(adminActor, { certificate: env.pki.cas[id.blockedCa].stolen.pem, reason: `differential c${cfg.index}` }));
  return { tokens: { good, disabled }, staffAud, blockedId: blocked.id };
}

export async function teardown(b: Built): Promise<void> {
  if (b.identity) {
    must("unblock", await unblockCertificate(adminActor, b.identity.blockedId));
    for (const t of Object.values(b.identity.tokens)) must("delete token", await deleteServiceToken(adminActor, t.id));
  }
  for (const id of b.appIds) must("delete application", await deleteApplication(adminActor, id));
  for (const id of b.policyIds) must("delete policy", await deletePolicy(adminActor, id));
  for (const id of b.certIds) must("delete certificate", await deleteCertificate(adminActor, id));
  if (b.managedCaId) must("managed CA hostnames", await updateCertificate(adminActor, b.managedCaId, { associated_hostnames: [] }));
}
