import { describe, expect, it } from "vitest";
import { z } from "zod";
import { listFilter, listQuery, pageNumber } from "./list-query";

describe("listQuery", () => {
  it("removes control characters, with a notice naming the filter", () => {
    const q = listQuery({ actor: "ad\u0000min", hostname: ["a\nb.example", "x"], other: "\u0000" }, ["actor", "hostname", "missing"]);
    expect(q.values).toEqual({ actor: "admin", hostname: "ab.example" });
    expect(q.notices).toEqual(["Control characters were removed from the actor filter.", "Control characters were removed from the hostname filter."]);
  });
  it("cuts overlong values and leaves ordinary ones alone", () => {
    const q = listQuery({ q: "x".repeat(600), name: "café ✓" }, ["q", "name"]);
    expect(q.values.q).toHaveLength(500);
    expect(q.values.name).toBe("café ✓");
    expect(q.notices).toEqual(["The q filter was cut to 500 characters."]);
  });
});

describe("pageNumber", () => {
  it.each([
    [undefined, 1, false],
    ["", 1, false],
    ["3", 3, false],
    ["1000000", 1_000_000, false],
    ["1000001", 1, true],
    ["99999999999999999999", 1, true],
    ["0", 1, true],
    ["-2", 1, true],
    ["1e3", 1, true],
    ["2\u0000", 1, true],
  ])("%j → page %d (notice: %s)", (value, page, notice) => {
    const r = pageNumber(value);
    expect(r.page).toBe(page);
    expect(!!r.notice).toBe(notice);
  });
});

describe("listFilter", () => {
  const schema = z.object({ decision: z.enum(["allow", "deny"]).optional(), page: z.coerce.number().int().default(1) });
  it("parses cleaned values, page numbers through pageNumber (with its notice)", () => {
    const f = listFilter({ decision: "deny", page: "0", other: "x" }, ["decision", "page"], schema);
    expect(f).toEqual({ filter: { decision: "deny", page: 1 }, valid: true, fieldErrors: {}, notices: [expect.stringContaining("There is no page “0”")] });
  });
  it("falls back to the schema's defaults when a value is refused, with the refusals by parameter", () => {
    const f = listFilter({ decision: "maybe", page: "2" }, ["decision", "page"], schema);
    expect(f.valid).toBe(false);
    expect(f.filter).toEqual({ page: 1 });
    expect(Object.keys(f.fieldErrors)).toEqual(["decision"]);
  });
});
