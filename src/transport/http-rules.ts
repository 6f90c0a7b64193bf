/**
 * HTTP rules both transports share (the raw-socket client, socket-http-target.ts, and undici's exchanges,
 * http-exchange.ts), defined once so that they cannot drift apart.
 */

/**
 * RFC 9110 §9.2.2 idempotent methods (of those a scenario can use): a request that went out on a kept-alive
 * connection the server had just closed may be sent again once.
 */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Message framing is the transport's: these headers from the plan are left out. */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** Backstop for opening a connection; loadseed's own request deadline usually fires first. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
