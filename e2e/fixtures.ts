import { test as base, expect, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ADMIN, STATE, VIEWER } from "./credentials";

const root = path.resolve(__dirname, "..");

/** A name unique to this run, so specs never collide on the shared e2e instance. */
export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString("hex")}`;

type Fixtures = { adminPage: Page; viewerPage: Page };

export const test = base.extend<Fixtures>({
  adminPage: async ({ browser }, use) => {
    const ctx = await browser.newContext({ storageState: path.join(root, STATE.admin) });
    const page = await ctx.newPage();
    await use(page);
    await ctx.close();
  },
  viewerPage: async ({ browser }, use) => {
    const ctx = await browser.newContext({ storageState: path.join(root, STATE.viewer) });
    const page = await ctx.newPage();
    await use(page);
    await ctx.close();
  },
});

export { expect, ADMIN, VIEWER };
