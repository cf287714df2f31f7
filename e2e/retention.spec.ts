import { expect, test } from "./fixtures";

/** Settings → Log retention (issue #12, finding 11). Leaves the shared instance at the defaults. */
test.describe("log retention settings", () => {
  const restoreDefaults = async (page: import("@playwright/test").Page) => {
    await page.goto("/settings");
    const section = page.getByRole("region", { name: "Log retention" });
    await section.getByRole("textbox", { name: "Access log: days to keep" }).fill("90");
    await section.getByRole("textbox", { name: "Access log: maximum rows" }).fill("1,000,000");
    await section.getByRole("textbox", { name: "Audit log: days to keep" }).fill("90");
    await section.getByRole("textbox", { name: "Audit log: maximum rows" }).fill("1,000,000");
    await section.getByRole("button", { name: "Save retention" }).click();
    await expect(section.getByRole("status")).toContainText("Retention settings saved.");
  };

  test("admins save the limits, a reload shows them, a bad value gets its specific error", async ({ adminPage: page }) => {
    await page.goto("/settings");
    const section = page.getByRole("region", { name: "Log retention" });
    await expect(section.getByRole("heading", { name: "Log retention" })).toBeVisible();
    const accessDays = section.getByRole("textbox", { name: "Access log: days to keep" });
    const accessRows = section.getByRole("textbox", { name: "Access log: maximum rows" });
    const auditDays = section.getByRole("textbox", { name: "Audit log: days to keep" });
    const auditRows = section.getByRole("textbox", { name: "Audit log: maximum rows" });
    await expect(accessDays).toHaveValue("90");
    await expect(auditRows).toHaveValue("1,000,000");

    try {
      // Values above the defaults, so that other specs' rows on the shared instance are never pruned.
      await accessDays.fill("0");
      await auditRows.fill("12.5");
      await section.getByRole("button", { name: "Save retention" }).click();
      await expect(accessDays).toHaveAccessibleDescription(/Access log: days to keep must be between 1 and 3,650 days/);
      await expect(accessDays).toHaveAttribute("aria-invalid", "true");
      await expect(auditRows).toHaveAccessibleDescription(/Audit log: maximum rows must be a whole number/);
      await expect(accessDays).toHaveValue("0");
      await expect(section.getByRole("alert")).toHaveText("Access log: days to keep must be between 1 and 3,650 days");

      await accessDays.fill("120");
      await accessRows.fill("2,000,000");
      await auditDays.fill("3650");
      await auditRows.fill("5000000");
      await section.getByRole("button", { name: "Save retention" }).click();
      await expect(section.getByRole("status")).toContainText("Retention settings saved.");
      await expect(accessDays).toHaveAttribute("aria-invalid", "false");

      await page.reload();
      const after = page.getByRole("region", { name: "Log retention" });
      await expect(after.getByRole("textbox", { name: "Access log: days to keep" })).toHaveValue("120");
      await expect(after.getByRole("textbox", { name: "Access log: maximum rows" })).toHaveValue("2,000,000");
      await expect(after.getByRole("textbox", { name: "Audit log: days to keep" })).toHaveValue("3650");
      await expect(after.getByRole("textbox", { name: "Audit log: maximum rows" })).toHaveValue("5,000,000");

      await page.goto("/audit-log");
      await expect(page.getByRole("cell", { name: "settings.retention.update" }).first()).toBeVisible();
    } finally {
      await restoreDefaults(page);
    }
  });

  test("viewers see the limits read-only, without Save retention", async ({ viewerPage: page }) => {
    await page.goto("/settings");
    const section = page.getByRole("region", { name: "Log retention" });
    const days = section.getByRole("textbox", { name: "Access log: days to keep" });
    await expect(days).toHaveValue("90");
    await expect(days).toHaveAttribute("readonly", "");
    await expect(section.getByRole("button", { name: "Save retention" })).toHaveCount(0);
  });
});
