import { HEADER_NAME, INVALID_VALUE_CHARACTER } from '../scenario/check-header-values.js';
import { requestError } from './request-errors.js';

/**
 * The first header of `headers` (flat `[name, value, …]`) that can't be put on the wire as it is, as the error
 * a send reports instead of sending; undefined when every one is fine. The rules are the scenario check's
 * (scenario/check-header-values.ts): a CR LF written as is would end the header and start another. Both HTTP
 * clients call it: the socket path once per request at compile time, the flow path on each request's rendered
 * headers (templates, data rows and captures may put anything in a value). The message names the header, never
 * its value (a secret).
 */
export function invalidHeaderOf(headers: readonly string[]): Error | undefined {
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    if (!HEADER_NAME.test(name)) return invalidHeader(`invalid header name ${JSON.stringify(name)}: request not sent`);
    if (INVALID_VALUE_CHARACTER.test(value)) {
      return invalidHeader(
        `invalid value of header ${JSON.stringify(name)} (CR, LF, NUL, a control character or beyond Latin-1): request not sent`,
      );
    }
  }
  return undefined;
}

function invalidHeader(message: string): Error {
  return requestError('LS_INVALID_HEADER', message);
}
