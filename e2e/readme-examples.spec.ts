import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { baseURL } from "./playwright.config";
import { expect, test, uniqueName } from "./fixtures";

/** The README's API examples, exactly as written, between the readme-api-examples markers. */
function readmeExamples(): string[] {
  const readme = readFileSync(path.resolve(__dirname, "../README.md"), "utf8");
  const section = readme.split("<!-- readme-api-examples:start -->")[1]?.split("<!-- readme-api-examples:end -->")[0];
  if (!section) throw new Error("README has no readme-api-examples section");
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  // The first block sets the environment with placeholders; the test provides real values instead.
  const commands = blocks.slice(1).join("\n").split(/\n\s*\n/).map((c) => c.trim()).filter(Boolean);
  return commands;
}

test("the README's curl examples run as written against the server", async ({ adminPage: page }) => {
  await page.goto("/settings");
  const accountId = (await page.getByLabel("Account ID").textContent())!.trim();
  const section = page.getByRole("region", { name: "API tokens" });
  await section.getByRole("button", { name: "Create API token" }).click();
  await section.getByRole("textbox", { name: "Token name" }).fill(uniqueName("readme"));
  await section.getByRole("combobox", { name: "Permission" }).selectOption({ label: "Edit" });
  await section.getByRole("button", { name: "Create", exact: true }).click();
  const token = await section.getByRole("textbox", { name: "New API token" }).inputValue();

  const commands = readmeExamples();
  expect(commands.length).toBeGreaterThanOrEqual(4);
  for (const command of commands) {
    const out = execFileSync("bash", ["-euo", "pipefail", "-c", command], {
      env: { ...process.env, PORTCULLIS: baseURL, PORTCULLIS_API_TOKEN: token, ACCOUNT_ID: accountId },
      encoding: "utf8",
    });
    const body = JSON.parse(out);
    expect(body, command).toMatchObject({ success: true, errors: [] });
  }
});
