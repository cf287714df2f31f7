/**
 * Service tokens over the REST API with the official `cloudflare` SDK (client.zeroTrust.access.serviceTokens.*):
 * create (secret once), list with `for await` and filters, get, update, refresh, rotate with and without a grace
 * period, delete; the errors the SDK raises for read-only tokens, bad input and unknown ids; and raw HTTP for an
 * empty refresh body and a body on rotate that is not JSON.
 */
import Cloudflare, { BadRequestError, NotFoundError, PermissionDeniedError } from "cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { hashClientSecret, serviceTokensForGateway } from "@/lib/domain/service-tokens";
import { adminWithTokens } from "../api/admin-tokens";
import { startApiServer, type TestApiServer } from "../api/server";

let api: TestApiServer;
let accountId: string;
let editToken: string;
let readToken: string;
let cf: Cloudflare;

const client = (apiToken: string) => new Cloudflare({ apiToken, baseURL: api.baseURL, maxRetries: 0 });

beforeAll(async () => {
  api = await startApiServer();
  ({ editToken, readToken } = await adminWithTokens());
  accountId = (await getSetting<string>(await getDb(), "account_id"))!;
  cf = client(editToken);
});

afterAll(async () => {
  await api?.close();
});

describe("cloudflare SDK: zeroTrust.access.serviceTokens", () => {
  it("creates, lists, gets, updates, refreshes, rotates and deletes", async () => {
    const created = await cf.zeroTrust.access.serviceTokens.create({ account_id: accountId, name: "CI/CD token", duration: "8760h" });
    expect(created.client_id).toMatch(/^[0-9a-f]{32}\.access$/);
    expect(created.client_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created).toMatchObject({ name: "CI/CD token", duration: "8760h", enabled: true });
    const id = created.id!;

    const listed = [];
    for await (const t of cf.zeroTrust.access.serviceTokens.list({ account_id: accountId })) listed.push(t);
    expect(listed.map((t) => t.id)).toEqual([id]);
    expect(listed[0]).not.toHaveProperty("client_secret");
    const byName = await cf.zeroTrust.access.serviceTokens.list({ account_id: accountId, name: "nope" });
    expect(byName.result).toEqual([]);

    const got = await cf.zeroTrust.access.serviceTokens.get(id, { account_id: accountId });
    expect(got).toMatchObject({ id, client_id: created.client_id, name: "CI/CD token" });
    expect(got).not.toHaveProperty("client_secret");

    const updated = await cf.zeroTrust.access.serviceTokens.update(id, { account_id: accountId, name: "CI token", duration: "17520h", enabled: false });
    expect(updated).toMatchObject({ id, name: "CI token", duration: "17520h", enabled: false });
    expect(Math.abs(Date.parse(updated.expires_at!) - Date.now() - 17520 * 3_600_000)).toBeLessThan(10_000);

    const refreshed = await cf.zeroTrust.access.serviceTokens.refresh(id, { account_id: accountId });
    expect(refreshed.id).toBe(id);
    expect(Date.parse(refreshed.expires_at!)).toBeGreaterThanOrEqual(Date.parse(updated.expires_at!));

    const rotated = await cf.zeroTrust.access.serviceTokens.rotate(id, { account_id: accountId });
    expect(rotated.client_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    expect(rotated.client_id).toBe(created.client_id);
    const graceUntil = new Date(Date.now() + 3_600_000).toISOString();
    const graced = await cf.zeroTrust.access.serviceTokens.rotate(id, { account_id: accountId, previous_client_secret_expires_at: graceUntil });
    const [stored] = (await serviceTokensForGateway()).filter((t) => t.id === id);
    expect(stored.secretHash).toBe(hashClientSecret(graced.client_secret!));
    expect(stored.previousSecretHash).toBe(hashClientSecret(rotated.client_secret!));
    // Fields the SDK's type does not list yet are still in the JSON (Cloudflare returns them too).
    const after = (await cf.zeroTrust.access.serviceTokens.get(id, { account_id: accountId })) as Record<string, unknown>;
    expect(after).toMatchObject({ client_secret_version: 3, previous_client_secret_expires_at: graceUntil });

    const deleted = await cf.zeroTrust.access.serviceTokens.delete(id, { account_id: accountId });
    expect(deleted.id).toBe(id);
    await expect(cf.zeroTrust.access.serviceTokens.get(id, { account_id: accountId })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("raises the SDK's errors: read-only token 403, bad input 400 with a pointer, unknown id 404", async () => {
    await expect(client(readToken).zeroTrust.access.serviceTokens.create({ account_id: accountId, name: "x" })).rejects.toBeInstanceOf(PermissionDeniedError);
    const bad = await cf.zeroTrust.access.serviceTokens.create({ account_id: accountId, name: "x", duration: "one year" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect((bad as BadRequestError).errors[0]).toMatchObject({ code: 12130, source: { pointer: "/duration" } });
    await expect(cf.zeroTrust.access.serviceTokens.refresh("00000000-0000-4000-8000-000000000000", { account_id: accountId })).rejects.toBeInstanceOf(NotFoundError);
    const tooLong = await cf.zeroTrust.access.serviceTokens
      .rotate((await cf.zeroTrust.access.serviceTokens.create({ account_id: accountId, name: "grace" })).id!, { account_id: accountId, previous_client_secret_expires_at: new Date(Date.now() + 40 * 86_400_000).toISOString() })
      .catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(BadRequestError);
  });

  it("raw HTTP: refresh and rotate without a body; a body that is not JSON is refused", async () => {
    const t = await cf.zeroTrust.access.serviceTokens.create({ account_id: accountId, name: "raw" });
    const base = `${api.baseURL}/accounts/${accountId}/access/service_tokens/${t.id}`;
    const auth = { authorization: `Bearer ${editToken}` };
    const refresh = await fetch(`${base}/refresh`, { method: "POST", headers: auth });
    expect(refresh.status).toBe(200);
    const rotate = await fetch(`${base}/rotate`, { method: "POST", headers: auth });
    expect(rotate.status).toBe(200);
    expect((await rotate.json()).result.client_secret).toMatch(/^[0-9a-f]{64}$/);
    const junk = await fetch(`${base}/rotate`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{nope" });
    expect(junk.status).toBe(400);
    expect((await junk.json()).errors[0].code).toBe(6007);
    expect((await fetch(`${base}/refresh`, { method: "GET", headers: auth })).status).toBe(405);
  });
});
