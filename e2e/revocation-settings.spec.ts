import net, { type AddressInfo } from "node:net";
import { expect, test, uniqueName } from "./fixtures";
import { generateRoot } from "./helpers/certs";
import { LIST, openAddPage } from "./helpers/mtls-page";

/** A loopback port nobody listens on (the CRL download must fail with a readable reason). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test.describe("Revocation checking and CRL URL (Configure page)", () => {
  test("per-hostname choices save at once and persist; a CRL URL is validated, saved and its failed download announced", async ({ adminPage: page }) => {
    const name = uniqueName("Revocation CA");
    const host = `${uniqueName("rev")}.example.com`;
    const root = generateRoot(`/CN=${name}`);
    await openAddPage(page);
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Certificate content").fill(root.pem);
    const hosts = page.getByLabel("Associated hostnames");
    await hosts.fill(host);
    await hosts.press("Enter");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(new RegExp(`${LIST}\\?added=`));
    await page.getByRole("row").filter({ hasText: name }).getByRole("button", { name: "Configure" }).click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();

    await expect(page.getByRole("heading", { name: "Revocation checking", exact: true })).toBeVisible();
    const group = page.getByRole("region", { name: `Revocation checking for ${host}` });
    const mode = group.getByRole("combobox", { name: "When a CRL is out of date" });
    await expect(mode).toHaveValue("block");
    await expect(mode.getByRole("option")).toHaveText(["Block", "Allow and alert"]);
    await mode.selectOption({ label: "Allow and alert" });
    await expect(group.getByRole("status")).toHaveText(`Saved revocation checks for ${host}.`);
    const ocsp = group.getByRole("checkbox", { name: "Check OCSP" });
    await expect(ocsp).not.toBeChecked();
    await ocsp.check();
    await expect(group.getByRole("status")).toHaveText(`Saved revocation checks for ${host}.`);
    await page.reload();
    const again = page.getByRole("region", { name: `Revocation checking for ${host}` });
    await expect(again.getByRole("combobox", { name: "When a CRL is out of date" })).toHaveValue("allow");
    await expect(again.getByRole("checkbox", { name: "Check OCSP" })).toBeChecked();

    const form = page.getByRole("form", { name: "Download the CRL from a URL" });
    const url = form.getByRole("textbox", { name: "CRL URL" });
    await url.fill("ftp://pki.example.com/ca.crl");
    await form.getByRole("button", { name: "Save URL" }).click();
    await expect(form.getByText("Enter an http or https URL, such as http://pki.example.com/ca.crl")).toBeVisible();
    const port = await closedPort();
    await url.fill(`http://127.0.0.1:${port}/ca.crl`);
    await form.getByRole("button", { name: "Save URL" }).click();
    await expect(form.getByRole("status").filter({ hasText: "CRL URL saved." })).toBeVisible();
    await expect(form.getByRole("alert").filter({ hasText: `The CRL could not be downloaded: Connection refused by 127.0.0.1:${port}` }).first()).toBeVisible();
    await page.reload();
    await expect(page.getByRole("form", { name: "Download the CRL from a URL" }).getByRole("textbox", { name: "CRL URL" })).toHaveValue(`http://127.0.0.1:${port}/ca.crl`);
    await expect(page.getByRole("alert").filter({ hasText: /The last download failed .*Connection refused/ })).toBeVisible();
  });
});
