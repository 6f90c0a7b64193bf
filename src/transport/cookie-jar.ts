import { CookieJar } from 'tough-cookie';

/**
 * One virtual user's cookies (`http.cookies`), as a browser keeps them: RFC 6265 domain, path, expiry and
 * `Secure` rules, through tough-cookie's synchronous API on its in-memory store. Set-Cookie values are read in
 * loose mode and a malformed one is ignored (a target's quirk, never an exception out of the run). Public
 * suffixes are not refused and loopback counts as secure, so a target at `http://127.0.0.1:8080` or
 * `http://localhost` works as it does in a browser.
 *
 * Costs nothing until the first cookie arrives: `cookieHeader` returns undefined without calling tough-cookie.
 */
export class UserCookieJar {
  #jar: CookieJar | undefined = undefined;

  /** The `cookie` request header for `url`, or undefined when no stored cookie applies. */
  cookieHeader(url: string): string | undefined {
    const jar = this.#jar;
    if (jar === undefined) return undefined;
    try {
      const header = jar.getCookieStringSync(url);
      return header === '' ? undefined : header;
    } catch {
      return undefined;
    }
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
    try {
      jar.setCookieSync(value, url, SET_OPTIONS);
    } catch {
      // A cookie the jar refuses (bad domain, unparsable): a browser ignores it too.
    }
  }
}

const JAR_OPTIONS = { looseMode: true, rejectPublicSuffixes: false, allowSpecialUseDomain: true, allowSecureOnLocal: true } as const;
const SET_OPTIONS = { ignoreError: true, loose: true } as const;
