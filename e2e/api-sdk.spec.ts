import Cloudflare, { AuthenticationError, BadRequestError, PermissionDeniedError } from "cloudflare";
import { baseURL } from "./playwright.config";
import { expect, test, uniqueName } from "./fixtures";
import { createToken } from "./helpers/api-token";
import { generateRoot, generateSeedChain } from "./helpers/certs";

/** The official `cloudflare` SDK against the running production server (baseURL = /client/v4). */
test("the official cloudflare SDK manages certificates, settings, policies and apps on the running server", async ({ adminPage: page }) => {
  await page.goto("/settings");
  const account_id = (await page.getByLabel("Account ID").textContent())!.trim();
  const edit = new Cloudflare({ apiToken: await createToken(page, "Edit"), baseURL: `${baseURL}/client/v4`, maxRetries: 0 });
  const read = new Cloudflare({ apiToken: await createToken(page, "Read"), baseURL: `${baseURL}/client/v4`, maxRetries: 0 });
  const certs = edit.zeroTrust.access.certificates;

  const seed = generateSeedChain({ rootCN: "SDK Root", intermediateCN: "SDK Intermediate" });
  const host = `${uniqueName("sdk")}.example.com`;
  const cert = await certs.create({ account_id, name: uniqueName("SDK chain"), certificate: `${seed.intermediatePem}\n${seed.rootPem}`, associated_hostnames: [host] });
  expect(cert.associated_hostnames).toEqual([host]);
  expect(JSON.stringify(cert)).not.toContain("BEGIN CERTIFICATE");
  const extra = [];
  for (let i = 0; i < 3; i++) extra.push(await certs.create({ account_id, name: uniqueName("SDK root"), certificate: generateRoot(`/CN=SDK page ${i}`).pem }));

  // for await walks every page (per_page 2) and stops at the end.
  const seen: string[] = [];
  for await (const c of certs.list({ account_id, per_page: 2 })) seen.push(c.id!);
  expect(seen).toEqual(expect.arrayContaining([cert.id, ...extra.map((c) => c.id)]));
  expect(new Set(seen).size).toBe(seen.length);

  const host2 = `${uniqueName("sdk2")}.example.com`;
  const updated = await certs.update(cert.id!, { account_id, associated_hostnames: [host, host2] });
  expect(updated.associated_hostnames).toEqual([host, host2]);
  const settings = await certs.settings.update({ account_id, settings: [{ hostname: host, client_certificate_forwarding: true, china_network: false }] });
  expect(settings.result.find((s) => s.hostname === host)).toMatchObject({ client_certificate_forwarding: true });

  const policy = await edit.zeroTrust.access.policies.create({
    account_id,
    name: uniqueName("SDK John Doe"),
    decision: "non_identity",
    include: [{ common_name: { common_name: "John Doe" } }],
  });
  const app = await edit.zeroTrust.access.applications.create({
    account_id,
    type: "self_hosted",
    name: uniqueName("SDK app"),
    domain: host,
    policies: [{ id: policy.id!, precedence: 1 }],
  });
  const got = await edit.zeroTrust.access.applications.get(app.id!, { account_id });
  expect(JSON.stringify(got)).toContain(policy.id!);

  // Errors arrive as the SDK's own classes, with our specific messages.
  const bad = await edit.zeroTrust.access.policies
    .create({ account_id, name: "x", decision: "non_identity", include: [{ common_name: { common_name: "" } }] })
    .catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(BadRequestError);
  expect(String((bad as Error).message)).toContain("Common Name");
  const denied = await read.zeroTrust.access.policies.delete(policy.id!, { account_id }).catch((e: unknown) => e);
  expect(denied).toBeInstanceOf(PermissionDeniedError);
  const anon = new Cloudflare({ apiToken: "pc_not-a-real-token", baseURL: `${baseURL}/client/v4`, maxRetries: 0 });
  expect(await anon.zeroTrust.access.policies.get(policy.id!, { account_id }).catch((e: unknown) => e)).toBeInstanceOf(AuthenticationError);

  // What the API made, the UI shows.
  await page.goto("/access-controls/applications");
  await expect(page.getByRole("row").filter({ hasText: app.name! })).toBeVisible();

  await edit.zeroTrust.access.applications.delete(app.id!, { account_id });
  await edit.zeroTrust.access.policies.delete(policy.id!, { account_id });
  for (const c of [cert, ...extra]) await certs.delete(c.id!, { account_id });
});
