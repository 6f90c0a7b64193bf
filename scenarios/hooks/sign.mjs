// Code hooks for scenarios/signed.yml: each request's body is signed with HMAC-SHA256 just before it is sent.
// `loadseed serve` checks the signature on POST /signed with its documented demo key.
import { createHmac, randomBytes } from 'node:crypto';

const KEY = process.env.SIGNING_KEY ?? 'loadseed-demo-key';

/** before_request: adds X-Signature, the hex HMAC-SHA256 of the body as it will be sent. */
export function sign(request) {
  request.headers['x-signature'] = createHmac('sha256', KEY)
    .update(request.body ?? '')
    .digest('hex');
}

/** Called from a template, {{ requestId('order') }}: a prefix and 8 random hex digits. */
export function requestId(prefix) {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
