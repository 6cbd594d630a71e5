import { useQuery } from "@tanstack/react-query";
import { type FormEvent, type KeyboardEvent, useEffect, useId, useState } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";
import { api, unwrap } from "../../app/api/client";
import { useI18n } from "../../app/i18n/i18n";
import type { Suggestion } from "../types";

/** What was typed, once the typing pauses for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export const suggestionPath = (s: Suggestion) => (s.kind === "category" ? `/c/${s.id}/${s.slug}` : `/p/${s.slug}`);

/**
 * The header's search field: type-ahead from search's suggestions (two letters on), as an ARIA
 * combobox: arrows move through the list, Enter opens the one chosen or searches the text, Escape
 * closes the list.
 */
export function SearchBox() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [text, setText] = useState(() => (location.pathname === "/search" ? (params.get("q") ?? "") : ""));
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const inputId = useId();
  const typed = useDebounced(text.trim(), 120);

  const suggestions = useQuery({
    queryKey: ["suggest", typed],
    queryFn: async () => unwrap(await api.search.GET("/api/search/suggest", { params: { query: { q: typed } } })).data,
    enabled: typed.length >= 2,
    staleTime: 60_000,
  });
  const items = typed.length >= 2 ? (suggestions.data ?? []) : [];
  const expanded = open && items.length > 0;

  useEffect(() => setActive(-1), [typed]);

  function go(path: string) {
    setOpen(false);
    navigate(path);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const chosen = active >= 0 ? items[active] : undefined;
    if (chosen) return go(suggestionPath(chosen));
    const q = text.trim();
    go(q ? `/search?q=${encodeURIComponent(q)}` : "/search");
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" && items.length > 0) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length > 0) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i <= 0 ? items.length - 1 : i - 1));
    } else if (event.key === "Escape") {
      setOpen(false);
      setActive(-1);
    }
  }

  return (
    <form className="searchbox" role="search" onSubmit={submit}>
      <label htmlFor={inputId} className="visually-hidden">
        {t("search.label")}
      </label>
      <input
        id={inputId}
        type="search"
        role="combobox"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        autoComplete="off"
        placeholder={t("search.placeholder")}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <button type="submit" className="button searchbox-submit">
        {t("search.submit")}
      </button>
      <ul id={listId} role="listbox" aria-label={t("search.suggestions")} className="suggestions" hidden={!expanded}>
        {items.map((s, i) => (
          <li
            key={`${s.kind}-${s.id}`}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? "suggestion active" : "suggestion"}
            onMouseDown={(e) => {
              e.preventDefault();
              go(suggestionPath(s));
            }}
          >
            <span>{s.text}</span>
            <span className="suggestion-kind">
              {t(s.kind === "category" ? "search.suggestion.category" : "search.suggestion.product")}
            </span>
          </li>
        ))}
      </ul>
    </form>
  );
}
