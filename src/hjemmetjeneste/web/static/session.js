// Sign-in and API calls of the nurse's, the patient's and the hospital's pages: a bearer
// token (pasted, or a demo token for the page's role), kept in this tab's sessionStorage.

import { esc, t } from "./i18n.js";

const TOKEN_KEY = "hjemmetjeneste.token";
const $ = (id) => document.getElementById(id);

/** An answer of the API other than 2xx: its status and the problem's sentence. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** fetch() with the signed-in token; JSON bodies; throws ApiError on a non-2xx answer and
 * lets a network failure (TypeError) through, so that callers can tell offline apart. */
export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ detail: response.statusText }));
    throw new ApiError(response.status, problem.detail || response.statusText);
  }
  return response;
}

/** Whether a token is kept for this tab. */
export function hasToken() {
  return Boolean(sessionStorage.getItem(TOKEN_KEY));
}

/** Forget the token (and whatever ``also`` names in localStorage) and start again. */
export function signOut(also = []) {
  sessionStorage.removeItem(TOKEN_KEY);
  for (const key of also) localStorage.removeItem(key);
  location.reload();
}

/** The error as a sentence for the page's status line. */
export function problemText(error) {
  if (error instanceof ApiError) return error.status === 403 ? t("error.forbidden") : t("error.generic", { error: error.message });
  return t("pages.offline.action");
}

/**
 * Who is signed in (``/v1/me``), once a token of ``role`` is there: the sign-in card
 * (``#signin``: ``#token-form`` and ``#demo-form``) is shown until then; another role gets
 * the ``#denied`` card and never resolves. A network failure rejects (offline).
 */
export function signedIn(role, say) {
  return new Promise((resolve, reject) => {
    const tryToken = async (token) => {
      sessionStorage.setItem(TOKEN_KEY, token);
      let me;
      try {
        me = await (await api("/v1/me")).json();
      } catch (error) {
        if (!(error instanceof ApiError)) {
          reject(error);
          return;
        }
        sessionStorage.removeItem(TOKEN_KEY);
        say(t("signin.failed"));
        show();
        return;
      }
      $("signin").hidden = true;
      $("signout").hidden = false;
      if (me.role !== role) {
        $("denied").hidden = false;
        $("denied-text").textContent = t("pages.denied", { role: t(`role.${me.role}`), needed: t(`role.${role}`) });
        return;
      }
      say("");
      resolve(me);
    };
    const show = async () => {
      $("signin").hidden = false;
      const demo = await fetch("/v1/demo").catch(() => null);
      if (demo?.ok) $("demo-form").hidden = false;
    };
    $("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      tryToken($("token").value.trim());
    });
    $("demo-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const response = await fetch("/v1/demo/token", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ role }),
      });
      if (response.ok) tryToken((await response.json()).token);
      else say(t("signin.failed"));
    });
    const kept = sessionStorage.getItem(TOKEN_KEY);
    if (kept) tryToken(kept);
    else show();
  });
}

/** Fill the page's header (its title from ``data-title``, the language picker, "Logg ut")
 * and put the sign-in and denied cards (ids as :func:`signedIn` expects) into ``#auth``;
 * their texts carry data-i18n keys, translated by setLanguage. */
export function insertSignIn(role) {
  const header = document.querySelector("header.top");
  header.innerHTML =
    `<h1 data-i18n="${esc(header.dataset.title)}"></h1><div class="top-tools">` +
    `<label for="lang" class="sr-only" data-i18n="lang.label"></label>` +
    `<select id="lang"><option value="nb">Norsk bokmål</option><option value="en">English</option></select>` +
    `<button id="signout" type="button" hidden data-i18n="signout"></button></div>`;
  $("auth").innerHTML =
    `<section id="signin" class="card" aria-labelledby="signin-h" hidden>` +
    `<h2 id="signin-h" data-i18n="signin.heading"></h2>` +
    `<form id="demo-form" hidden><button type="submit" class="primary" data-i18n="pages.demo.${esc(role)}"></button></form>` +
    `<form id="token-form"><label for="token" data-i18n="signin.token"></label>` +
    `<textarea id="token" rows="3" autocomplete="off" spellcheck="false" required></textarea>` +
    `<button type="submit" data-i18n="signin.submit"></button></form></section>` +
    `<section id="denied" class="card" aria-labelledby="denied-h" hidden>` +
    `<h2 id="denied-h" data-i18n="pages.denied.heading"></h2><p id="denied-text"></p></section>`;
}

/** Wire the language picker ``#lang``: re-translate and call ``redraw`` on change. */
export function languagePicker(setLanguage, lang, redraw) {
  $("lang").value = lang;
  $("lang").addEventListener("change", async () => {
    await setLanguage($("lang").value);
    redraw();
  });
}
