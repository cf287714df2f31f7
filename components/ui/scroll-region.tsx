"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";
import { cn } from "./cn";

/**
 * A box that scrolls its content sideways (a wide table) and, while it actually overflows, is reachable by keyboard:
 * a tab stop (arrow keys then scroll it) announced as a group named `label`. A group, not a region: no new landmark,
 * and no second "region" sharing a name with the section around a table. When everything fits it is a plain box,
 * so narrow tables add no tab stop. WCAG 2.1.1 (axe: scrollable-region-focusable).
 */
export function ScrollRegion({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [overflows, setOverflows] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setOverflows(el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
    measure();
    // The box and what it holds both change size (window resizes, rows added by a live list).
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    for (const child of el.children) observer.observe(child);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={ref}
      className={cn("focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600", className)}
      {...(overflows ? { tabIndex: 0, role: "group", "aria-label": label } : {})}
    >
      {children}
    </div>
  );
}
