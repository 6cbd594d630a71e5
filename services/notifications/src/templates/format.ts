/** The languages Comptoir writes e-mails in; French when nothing says otherwise. */
export type Language = "fr" | "en";
export const LANGUAGES: readonly Language[] = ["fr", "en"];
export const DEFAULT_LANGUAGE: Language = "fr";

const LOCALES: Record<Language, string> = { fr: "fr-FR", en: "en-GB" };

/** Dates in mails are the retailer's local time. */
export const MAIL_TIME_ZONE = "Europe/Paris";

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** One formatter per language, built once: building an Intl formatter costs far more than using it. */
function perLanguage<F>(build: (locale: string) => F): (language: Language) => F {
  const built = new Map<Language, F>();
  return (language) => {
    let format = built.get(language);
    if (!format) {
      format = build(LOCALES[language]);
      built.set(language, format);
    }
    return format;
  };
}

const dateFormat = perLanguage(
  (locale) => new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: MAIL_TIME_ZONE }),
);
const regionNames = perLanguage((locale) => new Intl.DisplayNames([locale], { type: "region" }));
const countFormat = perLanguage((locale) => new Intl.NumberFormat(locale));

/**
 * An amount in minor units of `currency`, written the reader's way: 1250 EUR is "12,50 €" in French
 * and "€12.50" in English. The currency's own number of decimals applies (JPY has none).
 */
export function formatMoney(minor: number, currency: string, language: Language): string {
  const key = `${language}:${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALES[language], { style: "currency", currency });
    moneyFormats.set(key, format);
  }
  const decimals = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** decimals);
}

/** A day, e.g. "3 mars 2025" / "3 March 2025", in the retailer's time zone. */
export function formatDate(iso: string, language: Language): string {
  return dateFormat(language).format(new Date(iso));
}

/** A country's name from its ISO 3166-1 alpha-2 code ("FR" → "France"); the code if unknown. */
export function countryName(code: string, language: Language): string {
  try {
    return regionNames(language).of(code) ?? code;
  } catch {
    return code;
  }
}

const rateFormat = perLanguage(
  (locale) => new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }),
);

/** A VAT rate in basis points the reader's way: 550 is "5,5 %" in French and "5.5%" in English. */
export function formatRate(basisPoints: number, language: Language): string {
  return rateFormat(language).format(basisPoints / 10_000);
}

/** A whole number the reader's way ("1 200" / "1,200"). */
export function formatCount(n: number, language: Language): string {
  return countFormat(language).format(n);
}

/** The short reference of a document shown to people: the last 8 characters of its id, upper-case. */
export function shortRef(id: string): string {
  return id.replaceAll("-", "").slice(-8).toUpperCase();
}
