import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, uniqueName } from "./fixtures";
import { generateRoot } from "./helpers/certs";

/** A webhook receiver started by the test: answers with the queued statuses (then 200), records bodies. */
const received: Record<string, unknown>[] = [];
let statuses: number[] = [];
const receiver = http.createServer((req, res) => {
  let data = "";
  req.on("data", (c) => (data += c));
  req.on("end", () => {
    received.push(JSON.parse(data));
    res.writeHead(statuses.shift() ?? 200).end();
  });
});
let hookUrl = "";

test.beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/portcullis`;
});
test.afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

test.describe("notifications and alerts", () => {
  test("Settings → Notifications: validation message, test notification, save and turn off", async ({ adminPage: page }) => {
    await page.goto("/settings");
    const section = page.getByRole("region", { name: "Notifications" });
    const url = section.getByRole("textbox", { name: "Webhook URL" });

    await url.fill("ftp://hooks.example.com/portcullis");
    await section.getByRole("button", { name: "Save" }).click();
    await expect(url).toHaveAccessibleDescription(/Webhook URL must start with http:\/\/ or https:\/\/ \(not ftp:\/\/\)/);
    await expect(url).toHaveAttribute("aria-invalid", "true");
    await expect(url).toHaveValue("ftp://hooks.example.com/portcullis");

    await url.fill(hookUrl);
    await section.getByRole("button", { name: "Send test notification" }).click();
    await expect(section.getByRole("status")).toHaveText("Test notification delivered: the receiver answered HTTP 200.");
    expect(received.at(-1)).toMatchObject({ event: "test", portcullis: { account_id: expect.stringMatching(/^[0-9a-f]{32}$/) } });

    statuses = [500];
    await section.getByRole("button", { name: "Send test notification" }).click();
    await expect(section.getByRole("alert")).toHaveText("Test notification failed: HTTP 500 Internal Server Error.");

    await section.getByRole("button", { name: "Save" }).click();
    await expect(section.getByRole("status")).toHaveText("Notification settings saved. New alerts will be sent to the webhook.");
    await page.reload();
    await expect(page.getByRole("region", { name: "Notifications" }).getByRole("textbox", { name: "Webhook URL" })).toHaveValue(hookUrl);

    await page.goto("/audit-log");
    await expect(page.getByRole("cell", { name: "notification.attempt" }).first()).toBeVisible();

    // Leave the shared instance as found: notifications off.
    await page.goto("/settings");
    await page.getByRole("region", { name: "Notifications" }).getByRole("textbox", { name: "Webhook URL" }).fill("");
    await page.getByRole("region", { name: "Notifications" }).getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("region", { name: "Notifications" }).getByRole("status")).toHaveText(
      "Notification settings saved. Webhook notifications are off.",
    );
  });

  test("viewers see the Notifications section without the form", async ({ viewerPage: page }) => {
    await page.goto("/settings");
    const section = page.getByRole("region", { name: "Notifications" });
    await expect(section.getByRole("heading", { name: "Notifications" })).toBeVisible();
    await expect(section.getByRole("textbox", { name: "Webhook URL" })).toHaveCount(0);
    await expect(section.getByRole("button", { name: "Send test notification" })).toHaveCount(0);
  });

  test("a certificate expiring in 10 days raises a banner on Overview and Mutual TLS and is listed on Alerts", async ({ adminPage: page }) => {
    const name = uniqueName("expiring-ca");
    const root = generateRoot(`/O=Portcullis e2e/CN=${name}`, { days: 10 });
    await page.goto("/access-controls/service-credentials/mutual-tls/new");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
    await page.getByRole("textbox", { name: "Certificate content" }).fill(root.pem);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page).not.toHaveURL(/\/new$/);

    await page.goto("/");
    const banner = page.getByRole("status").filter({ hasText: /within 30 days/ });
    await expect(banner).toContainText(/\d+ certificates? expires? within 30 days/);
    await banner.getByRole("link", { name: "View alerts" }).click();

    await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await expect(row).toContainText("Expires within 14 days");
    await expect(row).toContainText(`Certificate "${name}" expires within 14 days`);

    await page.goto("/access-controls/service-credentials/mutual-tls");
    await expect(page.getByRole("heading", { level: 1, name: "Mutual TLS" })).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: /within 30 days/ }).getByRole("link", { name: "View alerts" })).toBeVisible();
  });

  test("the Alerts page has one h1 and lists resolved alerts on request", async ({ adminPage: page }) => {
    await page.goto("/alerts");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Alerts");
    await page.getByRole("link", { name: "Show resolved alerts" }).click();
    await expect(page).toHaveURL(/\/alerts\?resolved=1$/);
    await expect(page.getByRole("link", { name: "Hide resolved alerts" })).toBeVisible();
  });
});
