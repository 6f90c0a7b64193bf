import { CookieJar } from 'tough-cookie';

/**
 * One virtual user's cookies (`http.cookies`), as a browser keeps them: RFC 6265 domain, path, expiry and
 * `Secure` rules, through tough-cookie's synchronous API on its in-memory store. Set-Cookie values are read in
 * loose mode and a malformed one is ignored (a target's quirk, never an exception out of the run). Public
 * suffixes are not refused and loopback counts as secure, so a target at `http://127.0.0.1:8080` or
 * `http://localhost` works as it does in a browser.
 *
 * Costs nothing until the first cookie arrives: `cookieHeader` returns undefined without calling tough-cookie.
 * While every cookie stored is for path `/` (a session cookie, as most are), the header is the same for every
 * path of an origin: the last one computed is reused for its origin until the next `store` or the first
 * expiry of a stored cookie (tough-cookie's lookup is a user journey's largest cost after the socket's own).
 */
export class UserCookieJar {
  #jar: CookieJar | undefined = undefined;
  /** The origin the last header was computed for (undefined: none is kept), and that header. */
  #cachedOrigin: string | undefined = undefined;
  #cachedHeader: string | undefined = undefined;
  /** Every cookie stored so far is for path `/`. */
  #rootPathsOnly = true;
  /** The earliest expiry of a cookie stored so far (ms since the epoch; Infinity: none has one). */
  #earliestExpiryMs = Infinity;

  /** The `cookie` request header for `url`, or undefined when no stored cookie applies. */
  cookieHeader(url: string): string | undefined {
    const jar = this.#jar;
    if (jar === undefined) return undefined;
    const origin = this.#rootPathsOnly && Date.now() < this.#earliestExpiryMs ? originPart(url) : undefined;
    if (origin !== undefined && origin === this.#cachedOrigin) return this.#cachedHeader;
    let header: string | undefined;
    try {
      const text = jar.getCookieStringSync(url);
      header = text === '' ? undefined : text;
    } catch {
      header = undefined;
    }
    this.#cachedOrigin = origin;
    this.#cachedHeader = header;
    return header;
  }

  /** Keeps the `set-cookie` values of a response from `url` (the URL that was requested, not a redirect's). */
  store(url: string, setCookie: string | readonly string[] | undefined): void {
    if (setCookie === undefined) return;
    if (typeof setCookie === 'string') {
      this.#store(url, setCookie);
      return;
    }
    for (const value of setCookie) this.#store(url, value);
  }

  #store(url: string, value: string): void {
    const jar = (this.#jar ??= new CookieJar(undefined, JAR_OPTIONS));
    this.#cachedOrigin = undefined;
    try {
      const cookie = jar.setCookieSync(value, url, SET_OPTIONS);
      if (cookie === undefined) return;
      if (cookie.path !== '/') this.#rootPathsOnly = false;
      const expiryMs = cookie.expiryTime();
      if (expiryMs !== undefined && expiryMs < this.#earliestExpiryMs) this.#earliestExpiryMs = expiryMs;
    } catch {
      // A cookie the jar refuses (bad domain, unparsable): a browser ignores it too.
    }
  }
}

/** `scheme://authority` of an absolute URL, or undefined for anything else (then nothing is reused). */
function originPart(url: string): string | undefined {
  const scheme = url.indexOf('://');
  if (scheme <= 0) return undefined;
  const pathStart = url.indexOf('/', scheme + 3);
  return pathStart === -1 ? url : url.slice(0, pathStart);
}

const JAR_OPTIONS = { looseMode: true, rejectPublicSuffixes: false, allowSpecialUseDomain: true, allowSecureOnLocal: true } as const;
const SET_OPTIONS = { ignoreError: true, loose: true } as const;
