// Messages from a JSON catalogue per language; dates and times in Europe/Oslo.

const ZONE = "Europe/Oslo";
let messages = {};
let language = "nb";
let clockFmt = null;
let dateFmt = null;

/** The language asked for: ?lang=en, then the last choice, then Norwegian bokmål. */
export function preferredLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  const stored = localStorage.getItem("hjemmetjeneste.lang");
  const lang = asked || stored || "nb";
  return lang === "en" ? "en" : "nb";
}

/** Load the catalogue of ``lang`` and translate the static texts of the page. */
export async function setLanguage(lang) {
  const response = await fetch(`/static/i18n/${lang}.json`);
  messages = await response.json();
  language = lang;
  localStorage.setItem("hjemmetjeneste.lang", lang);
  document.documentElement.lang = lang;
  const locale = lang === "nb" ? "nb-NO" : "en-GB";
  clockMemo.clear();
  clockFmt = new Intl.DateTimeFormat(locale, { timeZone: ZONE, hour: "2-digit", minute: "2-digit" });
  dateFmt = new Intl.DateTimeFormat(locale, { timeZone: ZONE, dateStyle: "full" });
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of document.querySelectorAll("[data-i18n-attr]")) {
    const [attr, key] = el.dataset.i18nAttr.split(":");
    el.setAttribute(attr, t(key));
  }
}

export function currentLanguage() {
  return language;
}

/** The message ``key`` with ``{name}`` placeholders filled from ``vars``. */
export function t(key, vars = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

const clockMemo = new Map();

/** HH:MM in Europe/Oslo of an ISO timestamp or epoch milliseconds (memoised: a day's plan
 * repeats the same few hundred instants thousands of times). */
export function clock(value) {
  let text = clockMemo.get(value);
  if (text === undefined) {
    text = clockFmt.format(typeof value === "number" ? value : Date.parse(value));
    if (clockMemo.size > 50_000) clockMemo.clear();
    clockMemo.set(value, text);
  }
  return text;
}

/** A long date of a YYYY-MM-DD day, as Oslo sees it. */
export function longDate(day) {
  return dateFmt.format(Date.parse(`${day}T12:00:00Z`));
}

/** Today's date in Europe/Oslo as YYYY-MM-DD. */
export function todayInOslo() {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: ZONE }).format(Date.now());
}

/** A duration in seconds as "1 t 5 min" / "12 min". */
export function duration(seconds) {
  const total = Math.round(seconds / 60);
  const h = Math.floor(total / 60);
  const m = total % 60;
  return h ? t("duration.hm", { h, m }) : t("duration.m", { m });
}

/** A share 0–1 as a whole percentage. */
export function percent(share) {
  return `${Math.round(share * 1000) / 10} %`;
}

/** Escape text for HTML. Every piece of data goes through this before innerHTML. */
export function esc(value) {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
