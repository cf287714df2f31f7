/**
 * The zone-scoped API on the running production server: Settings shows the Zone ID (read-only, Copy puts it on the
 * clipboard), the API page lists the zone routes, and the official `cloudflare` SDK issues a client certificate
 * from an OpenSSL CSR with that zone id, revokes and reactivates it, and reads the managed CA's hostnames.
 */
import Cloudflare, { NotFoundError } from "cloudflare";
import { baseURL } from "./playwright.config";
import { expect, test } from "./fixtures";
import { createToken } from "./helpers/api-token";
import { certificatePublicKey, keyFilePublicKey, makeCsr } from "./helpers/csr";

test("Settings shows the Zone ID; the SDK issues, revokes and reactivates a client certificate in that zone", async ({ adminPage: page }) => {
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/settings");
  const group = page.getByRole("group", { name: "Zone ID" });
  const box = group.getByRole("textbox", { name: "Zone ID" });
  await expect(box).toHaveAttribute("readonly", "");
  const zone_id = await box.inputValue();
  expect(zone_id).toMatch(/^[0-9a-f]{32}$/);
  expect(zone_id).not.toBe((await page.getByLabel("Account ID").textContent())!.trim());
  await group.getByRole("button", { name: "Copy" }).click();
  await expect(group.getByRole("status")).toHaveText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(zone_id);

  const cf = new Cloudflare({ apiToken: await createToken(page, "Edit"), baseURL: `${baseURL}/client/v4`, maxRetries: 0 });
  const { csr, keyPath } = makeCsr("/O=Acme/CN=e2e-sensor");
  const issued = await cf.clientCertificates.create({ zone_id, csr, validity_days: 365 });
  expect(issued).toMatchObject({ common_name: "e2e-sensor", organization: "Acme", status: "active", validity_days: 365 });
  expect(certificatePublicKey(issued.certificate!)).toBe(keyFilePublicKey(keyPath));
  const active = await cf.clientCertificates.list({ zone_id, status: "active", per_page: 1000 });
  expect(active.result.map((c) => c.id)).toContain(issued.id);
  const revoked = await cf.clientCertificates.delete(issued.id!, { zone_id });
  expect(["revoked", "pending_revocation"]).toContain(revoked.status);
  expect((await cf.clientCertificates.get(issued.id!, { zone_id })).status).toBe(revoked.status);
  expect((await cf.clientCertificates.edit(issued.id!, { zone_id, reactivate: true })).status).toBe("active");
  expect(Array.isArray((await cf.certificateAuthorities.hostnameAssociations.get({ zone_id })).hostnames)).toBe(true);
  const elsewhere = await cf.clientCertificates.list({ zone_id: "0123456789abcdef0123456789abcdef" }).catch((e: unknown) => e);
  expect(elsewhere).toBeInstanceOf(NotFoundError);

  await page.goto("/api-docs");
  const endpoints = page.getByRole("table", { name: "Endpoints" });
  for (const path of ["/zones/{zone_id}/client_certificates", "/zones/{zone_id}/client_certificates/{client_certificate_id}", "/zones/{zone_id}/certificate_authorities/hostname_associations"]) {
    await expect(endpoints.getByRole("cell", { name: path, exact: true }).first()).toBeVisible();
  }
  await expect(page.getByText(zone_id).first()).toBeVisible();
});
