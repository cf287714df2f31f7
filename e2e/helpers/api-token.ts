import type { Page } from "@playwright/test";
import { uniqueName } from "../fixtures";

/** Create an API token through Settings → API tokens and read it from the one-time textbox. */
export async function createToken(page: Page, permission: "Read" | "Edit"): Promise<string> {
  await page.goto("/settings");
  const section = page.getByRole("region", { name: "API tokens" });
  await section.getByRole("button", { name: "Create API token" }).click();
  await section.getByRole("textbox", { name: "Token name" }).fill(uniqueName(`sdk-${permission}`));
  await section.getByRole("combobox", { name: "Permission" }).selectOption({ label: permission });
  await section.getByRole("button", { name: "Create", exact: true }).click();
  return section.getByRole("textbox", { name: "New API token" }).inputValue();
}
