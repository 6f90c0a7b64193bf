/**
 * What captures and checks may read of a response. The body is decoded (UTF-8) and parsed (JSON) at most
 * once, and only when something asks.
 */
export interface ResponseView {
  readonly status: number;
  /** A header's value by lower-case name; a repeated header's values joined with ', '. */
  header(name: string): string | undefined;
  /** The body as UTF-8 text ('' when there is none). */
  readonly bodyText: string;
  /** The body parsed as JSON, once. */
  json(): { readonly ok: true; readonly value: unknown } | { readonly ok: false };
}

/** Header names as undici gives them: lower-case. */
export type ResponseHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

const NOT_JSON = Object.freeze({ ok: false as const });

/** A ResponseView over a buffered response. `headers` keys are lower-case, as undici gives them. */
export function createResponseView(status: number, headers: ResponseHeaders, body: Buffer | undefined): ResponseView {
  return new BufferedResponseView(status, headers, body);
}

class BufferedResponseView implements ResponseView {
  readonly status: number;
  readonly #headers: ResponseHeaders;
  readonly #body: Buffer | undefined;
  #text: string | undefined;
  #json: { readonly ok: true; readonly value: unknown } | { readonly ok: false } | undefined;

  constructor(status: number, headers: ResponseHeaders, body: Buffer | undefined) {
    this.status = status;
    this.#headers = headers;
    this.#body = body;
  }

  header(name: string): string | undefined {
    // Own headers only: a header named constructor or toString is not Object.prototype's.
    const headers = this.#headers;
    const lower = name.toLowerCase();
    const value = Object.hasOwn(headers, name) ? headers[name] : Object.hasOwn(headers, lower) ? headers[lower] : undefined;
    if (value === undefined || typeof value === 'string') return value;
    return value.length === 0 ? undefined : value.join(', ');
  }

  get bodyText(): string {
    this.#text ??= this.#body === undefined || this.#body.length === 0 ? '' : this.#body.toString('utf8');
    return this.#text;
  }

  json(): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
    if (this.#json === undefined) {
      try {
        this.#json = { ok: true, value: JSON.parse(this.bodyText) as unknown };
      } catch {
        this.#json = NOT_JSON;
      }
    }
    return this.#json;
  }
}
