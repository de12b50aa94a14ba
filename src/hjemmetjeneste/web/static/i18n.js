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

const extraCatalogues = [];

/** Load the catalogue ``name`` (``/static/i18n/<name>.<lang>.json``) next to the main one,
 * from the next :func:`setLanguage` on (the nurse's, patient's and hospital's pages). */
export function useCatalogue(name) {
  if (!extraCatalogues.includes(name)) extraCatalogues.push(name);
}

/** Load the catalogues of ``lang`` and translate the static texts of the page. */
export async function setLanguage(lang) {
  const names = [lang, ...extraCatalogues.map((name) => `${name}.${lang}`)];
  const loaded = await Promise.all(names.map(async (name) => (await fetch(`/static/i18n/${name}.json`)).json()));
  messages = Object.assign({}, ...loaded);
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

/** The instant of clock time ``hhmm`` ("HH:MM") on ``day`` (YYYY-MM-DD) in Europe/Oslo, as
 * an ISO string with its offset (+01:00 in winter, +02:00 in summer). */
export function osloIso(day, hhmm = "00:00") {
  const local = new Intl.DateTimeFormat("sv-SE", { timeZone: ZONE, dateStyle: "short", timeStyle: "short" });
  for (const offset of ["+01:00", "+02:00"]) {
    const iso = `${day}T${hhmm}:00${offset}`;
    if (local.format(Date.parse(iso)) === `${day} ${hhmm}`) return iso;
  }
  return `${day}T${hhmm}:00+01:00`; // a clock time skipped by the change to summer time
}

/** The day after ``day`` (YYYY-MM-DD). */
export function nextDay(day) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
