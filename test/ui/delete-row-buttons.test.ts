/**
 * The list pages render one Delete button per row (100 policies, 50 certificates per page). Its confirm dialog is
 * mounted on the first click, not with the row: the server renders only the button, no closed <dialog> per row.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DeleteCertificateButton } from "@/components/mtls/delete-certificate-button";
import { DeletePolicyButton } from "@/components/policies/delete-policy-button";

const ID = "00000000-0000-4000-8000-000000000001";

describe("row Delete buttons", () => {
  it("a policy row renders its Delete button without a dialog", () => {
    const html = renderToStaticMarkup(createElement(DeletePolicyButton, { id: ID, name: "p1" }));
    expect(html).toMatch(/<button[^>]*>Delete<\/button>/);
    expect(html).not.toContain("<dialog");
  });

  it("a certificate row renders its Delete button without a dialog", () => {
    const html = renderToStaticMarkup(createElement(DeleteCertificateButton, { id: ID, name: "ca1", hostnames: ["a.example"], impact: [{ id: ID, name: "app", hostname: "a.example" }] }));
    expect(html).toMatch(/<button[^>]*>Delete<\/button>/);
    expect(html).not.toContain("<dialog");
  });
});
