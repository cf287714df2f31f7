"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ListEmpty, ListPager } from "@/components/ui/list-kit";
import { Notice } from "@/components/ui/notice";
import type { AccessLogDto, AccessLogFilter } from "@/lib/domain/access-log";
import { ACCESS_LOG_LIVE_MS, accessLogQuery, accessLogSearch } from "@/lib/queries/access-log";
import { AccessLogTable, logTime } from "./access-log-table";

const plural = (n: number) => `${n} decision${n === 1 ? "" : "s"}`;
const href = (filter: AccessLogFilter, before: string | null) => {
  const s = accessLogSearch(filter, before).toString();
  return s ? `/access-log?${s}` : "/access-log";
};

interface Arrivals {
  /** The rows these arrivals were computed from (a new array from the query is a new poll). */
  items: AccessLogDto[] | undefined;
  /** Row ids only grow (a sequence), so "new" is "above the highest id seen so far": no set of every id to keep. */
  maxId: number;
  fresh: ReadonlySet<number>;
  message: string;
}

const maxId = (items: AccessLogDto[] | undefined) => (items ?? []).reduce((m, i) => Math.max(m, i.id), 0);

/**
 * Which rows arrived since the page was rendered (highlighted), and the sentence announcing the latest arrivals.
 * Derived while rendering from the previous poll's rows (React's pattern for state that follows props), so no
 * effect runs a second render.
 */
function useArrivals(items: AccessLogDto[] | undefined): Arrivals {
  const [a, setA] = useState<Arrivals>(() => ({ items, maxId: maxId(items), fresh: new Set(), message: "" }));
  if (items === a.items) return a;
  const added = (items ?? []).filter((i) => i.id > a.maxId);
  const next: Arrivals = added.length
    ? {
        items,
        maxId: maxId(added),
        fresh: new Set(added.map((i) => i.id)),
        // The time makes each announcement differ from the last, so that screen readers read it again.
        message: `${added.length} new decision${added.length === 1 ? "" : "s"}, the latest at ${logTime(added[0].at)}.`,
      }
    : { ...a, items };
  setA(next);
  return next;
}

/**
 * The access log's rows, kept current while **Live** is on: the page prefetched them on the server; here the same
 * query polls every two seconds while the tab is visible (never in a hidden tab). Live starts on for the newest
 * page (with or without filters: new rows that match them appear) and is unavailable on older pages, which new
 * rows never reach; turning it off lasts until another filter or page is opened. New rows are highlighted and
 * announced politely (a status region; focus stays where it is).
 */
export function LiveAccessLog({ filter, canBlock = false }: { filter: AccessLogFilter; canBlock?: boolean }) {
  const newest = !filter.before;
  const [live, setLive] = useState(newest);
  const query = useQuery(accessLogQuery(filter, live && newest));
  const { data, error } = query;
  const arrivals = useArrivals(data?.items);
  const filtered = !!(filter.hostname || filter.decision || filter.date);
  const items = data?.items ?? [];

  const hint = !newest
    ? "Live updates follow the newest page."
    : live
      ? `New decisions appear as they arrive (checked every ${ACCESS_LOG_LIVE_MS / 1000} seconds while this tab is visible).`
      : "Paused: new decisions are not shown until Live is on again.";

  return (
    <>
      <div className="mb-3 flex flex-wrap items-center gap-x-4 gap-y-1 text-sm">
        <label className="inline-flex items-center gap-2 font-medium">
          <input
            type="checkbox"
            role="switch"
            className="size-4 accent-brand-600"
            checked={live && newest}
            disabled={!newest}
            aria-describedby="access-log-live-hint"
            onChange={(e) => {
              setLive(e.target.checked);
              if (e.target.checked) void query.refetch();
            }}
          />
          Live
        </label>
        <span id="access-log-live-hint" className="text-slate-600 dark:text-slate-400">
          {hint}
        </span>
        <p role="status" className="font-medium text-brand-700 dark:text-brand-100">
          {arrivals.message}
        </p>
      </div>
      {error && live && newest ? (
        <Notice tone="warning" className="mb-3">
          {`New decisions could not be fetched: ${error.message}`}
        </Notice>
      ) : null}
      {!data ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">Loading gateway decisions…</p>
      ) : items.length ? (
        <>
          <AccessLogTable entries={items} fresh={arrivals.fresh} canBlock={canBlock} />
          <ListPager
            summary={`${plural(items.length)} on this page`}
            links={[filter.before && { label: "Newest", href: href(filter, null) }, data.next && { label: "Older", href: href(filter, data.next) }]}
          />
        </>
      ) : (
        <ListEmpty filtered={filtered} none="No gateway decisions yet" noMatch="No decisions match these filters">
          The gateway records a decision for every request it receives. Start it with GATEWAY_PORT set (or npm run gateway with PostgreSQL).
        </ListEmpty>
      )}
    </>
  );
}
