import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { en } from "./messages.en";
import { fr, type MessageKey } from "./messages.fr";

export type Lang = "fr" | "en";
export type { MessageKey };

/** The catalogs in use: the base ones, then each lazy part's as its chunk loads (`addMessages`). */
const CATALOGS: Record<Lang, Record<string, string>> = { fr: { ...fr }, en: { ...en } };

/**
 * Adds a lazy part's strings (its messages.fr.ts and messages.en.ts) to the catalogs: called by the
 * part's routes module when its chunk is evaluated, before any of its screens renders.
 */
export function addMessages(part: Record<Lang, Record<string, string>>): void {
  Object.assign(CATALOGS.fr, part.fr);
  Object.assign(CATALOGS.en, part.en);
}
const LOCALES: Record<Lang, string> = { fr: "fr-FR", en: "en-GB" };
const STORAGE_KEY = "comptoir.lang";

export interface I18n {
  lang: Lang;
  locale: string;
  setLang(lang: Lang): void;
  /** The message in the current language, `{name}` replaced by params.name. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** An amount in minor units (1999 → 19,99 €). */
  money(minor: number, currency?: string): string;
  /** A date (ISO string), with the time unless dateOnly. */
  date(iso: string, dateOnly?: boolean): string;
  /** A VAT rate in basis points (2000 → 20 %). */
  rate(basisPoints: number): string;
  /** Does the catalog hold this key (for error codes)? */
  has(key: string): key is MessageKey;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  return saved === "en" || saved === "fr" ? saved : "fr";
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const locale = LOCALES[lang];
    const catalog = CATALOGS[lang];
    const moneyFormats = new Map<string, Intl.NumberFormat>();
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short" });
    const dateOnly = new Intl.DateTimeFormat(locale, { dateStyle: "long" });
    const percent = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
    return {
      lang,
      locale,
      setLang,
      t: (key, params) => {
        const text = catalog[key] ?? key;
        return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole)) : text;
      },
      money: (minor, currency = "EUR") => {
        let format = moneyFormats.get(currency);
        if (!format) {
          format = new Intl.NumberFormat(locale, { style: "currency", currency });
          moneyFormats.set(currency, format);
        }
        return format.format(minor / 100);
      },
      date: (iso, only) => (only ? dateOnly : dateTime).format(new Date(iso)),
      rate: (basisPoints) => percent.format(basisPoints / 10_000),
      has: (key): key is MessageKey => Object.hasOwn(catalog, key),
    };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
