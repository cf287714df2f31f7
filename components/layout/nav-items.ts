/**
 * Sidebar links (UI contract: nav "Main", the contract's seven plus Service Tokens and Client certificates next to
 * Mutual TLS); extra entries follow.
 */
export const NAV_ITEMS = [
  { href: "/", label: "Overview" },
  { href: "/access-controls/applications", label: "Applications" },
  { href: "/access-controls/policies", label: "Policies" },
  { href: "/access-controls/service-credentials/mutual-tls", label: "Mutual TLS" },
  { href: "/access-controls/service-credentials/service-tokens", label: "Service Tokens" },
  { href: "/access-controls/service-credentials/client-certificates", label: "Client certificates" },
  { href: "/access-controls/test", label: "Test mTLS" },
  { href: "/audit-log", label: "Audit log" },
  { href: "/settings", label: "Settings" },
] as const;

export const EXTRA_NAV_ITEMS = [
  { href: "/alerts", label: "Alerts" },
  { href: "/access-log", label: "Access log" },
  { href: "/nginx-export", label: "Nginx export" },
  { href: "/api-docs", label: "API" },
] as const;

export function isCurrent(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}
