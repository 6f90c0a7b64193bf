// Code hooks for scenarios/oauth.yml: OAuth 2.0 client credentials, one token per virtual user, refreshed
// before it expires so that no request is sent with a stale token.
//
// The token lives in the user's own variables (context.vars), so each user has its own, in every worker
// thread. Token requests are made with fetch() from the hook: they are not measured, but their time counts
// towards the request's timeout.

/** Refresh when less than this share of the token's lifetime is left. */
const REFRESH_MARGIN = 0.25;

/** before_request: sets Authorization: Bearer <token>, getting a new token first when the user has none or it is about to expire. */
export async function authorize(request, context) {
  const vars = context.vars;
  const refreshAt = Number(vars.get('token_refresh_at') ?? 0);
  if (vars.get('access_token') === undefined || Date.now() >= refreshAt) {
    const token = await fetchToken(vars);
    const lifetimeMs = token.expires_in_ms ?? token.expires_in * 1000;
    vars.set('access_token', token.access_token);
    vars.set('token_refresh_at', Date.now() + lifetimeMs * (1 - REFRESH_MARGIN));
  }
  request.headers.authorization = `Bearer ${vars.get('access_token')}`;
}

async function fetchToken(vars) {
  const response = await fetch(vars.get('token_url'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: vars.get('client_id'),
      client_secret: vars.get('client_secret'),
    }),
    signal: AbortSignal.timeout(5_000),
  });
  // A rejection is counted under `script` with this message; the run goes on.
  if (!response.ok) throw new Error(`token request answered ${response.status}`);
  return response.json();
}
