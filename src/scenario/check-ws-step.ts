import { formatDuration, parseDurationMs } from './duration.js';
import type { Duration } from './duration.js';
import { jsonPathProblem } from './json-path.js';
import type { IssueDraft } from './schema-explainer.js';
import type { DataPath } from './source-map.js';
import { requestsOf } from './types.js';
import type { ScenarioData, WsCapture, WsExpect } from './types.js';

/** Scheme and authority of an absolute URL: no templates there (the host decides where connections go). */
const URL_ORIGIN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;
/** The longest `within` or `interval`: a session is bounded by its step's timeout anyway. */
const MAX_WAIT_MS = 3_600_000;

/**
 * What the schema cannot say of a `ws:` step (types.ts WsAction): a path needs a target, a URL must parse
 * with no template in its host, an expect's matchers must go together, a capture reads one source from the
 * message an expect matched before it, `close` comes last, waits are durations a timer can keep.
 */
export function checkWsSteps(data: ScenarioData): IssueDraft[] {
  const issues: IssueDraft[] = [];
  const report = (path: DataPath, message: string, at: 'key' | 'value' = 'value'): void => {
    issues.push({ path, at, message });
  };
  for (const { spec, path } of requestsOf(data)) {
    if (spec.ws === undefined) continue;
    checkWsUrl(spec.ws, data.target, [...path, 'ws'], report);
    const steps = spec.steps ?? [];
    let expected = false;
    for (const [index, action] of steps.entries()) {
      const at: DataPath = [...path, 'steps', index];
      if ('expect' in action) {
        checkExpect(action.expect, [...at, 'expect'], report);
        expected = true;
      } else if ('send_every' in action) {
        checkWait(action.send_every.interval, [...at, 'send_every', 'interval'], report);
        if (action.send_every.expect !== undefined) {
          checkExpect(action.send_every.expect, [...at, 'send_every', 'expect'], report);
          expected = true;
        }
      } else if ('capture' in action) {
        checkCapture(action.capture, [...at, 'capture'], report);
        if (!expected) report([...at, 'capture'], 'a capture reads the last message an expect matched: put an expect before it', 'key');
      } else if ('close' in action && index !== steps.length - 1) {
        report([...at, 'close'], 'close ends the session: make it the last step', 'key');
      }
    }
  }
  return issues;
}

type Report = (path: DataPath, message: string, at?: 'key' | 'value') => void;

function checkWsUrl(ws: string, target: string | undefined, path: DataPath, report: Report): void {
  if (ws.startsWith('/')) {
    if (target === undefined) report(path, 'a ws path needs a target: add target: http://host:port at the top, or give a ws:// URL');
    return;
  }
  const origin = URL_ORIGIN.exec(ws)?.[0] ?? '';
  if (/\{\{/.test(origin)) {
    report(path, 'templates may appear only in the path and query of a ws URL, not in its host (the host decides where connections go)');
    return;
  }
  const parsed = URL.parse(ws.replace(/\{\{[\s\S]*?\}\}/g, 'x'));
  if (parsed === null || parsed.hostname === '') {
    report(path, `not a valid URL: check the host and the port, e.g. ws://127.0.0.1:8080/ws (got ${JSON.stringify(ws)})`);
  } else if (parsed.port === '0') {
    report(path, 'port 0 names no server: give the port the target listens on');
  } else if (parsed.username !== '' || parsed.password !== '') {
    report(path, 'credentials in a URL are not sent: give an authorization header (with ${ENV} for the secret)');
  }
}

function checkExpect(expect: WsExpect, path: DataPath, report: Report): void {
  const matchers = (['equals', 'contains', 'regex', 'text'] as const).filter((key) => expect[key] !== undefined);
  if (expect.json === undefined && matchers.length === 0) {
    report(path, 'an expect needs something to match: json (a JSONPath), text, contains or regex');
  }
  if (matchers.length > 1)
    report([...path, matchers[1] as string], `give one of equals, contains, regex or text (got ${matchers.join(' and ')})`, 'key');
  if (expect.text !== undefined && expect.json !== undefined)
    report([...path, 'text'], 'text matches the whole message: drop json, or use equals', 'key');
  if (expect.equals !== undefined && expect.json === undefined) {
    report(
      [...path, 'equals'],
      'equals compares the value a JSONPath selects: add json: $.field (or use text for the whole message)',
      'key',
    );
  }
  if (expect.json !== undefined) checkJsonPath(expect.json, [...path, 'json'], report);
  if (expect.regex !== undefined) checkRegex(expect.regex, [...path, 'regex'], report);
  if (expect.within !== undefined) checkWait(expect.within, [...path, 'within'], report);
}

function checkCapture(capture: WsCapture, path: DataPath, report: Report): void {
  if ((capture.json === undefined) === (capture.regex === undefined)) report(path, 'a ws capture takes exactly one of json or regex');
  if (capture.json !== undefined) checkJsonPath(capture.json, [...path, 'json'], report);
  if (capture.group !== undefined && capture.regex === undefined) report([...path, 'group'], 'group applies to a regex capture', 'key');
  if (capture.regex !== undefined) {
    const groups = checkRegex(capture.regex, [...path, 'regex'], report);
    if (groups !== undefined && capture.group !== undefined && capture.group > groups) {
      report([...path, 'group'], `the regex has ${groups} group${groups === 1 ? '' : 's'}: group ${capture.group} does not exist`);
    }
  }
}

function checkJsonPath(path: string, at: DataPath, report: Report): void {
  const problem = jsonPathProblem(path);
  if (problem !== undefined) report(at, `not a valid JSONPath: ${problem}`);
}

/** Reports a regex that does not compile; else returns its number of groups. */
function checkRegex(source: string, path: DataPath, report: Report): number | undefined {
  try {
    return (new RegExp(`${source}|`).exec('')?.length ?? 1) - 1;
  } catch (error) {
    report(path, `not a valid regular expression: ${(error as Error).message}`);
    return undefined;
  }
}

function checkWait(value: Duration, path: DataPath, report: Report): void {
  const durationMs = parseDurationMs(value);
  if (durationMs === undefined) report(path, `duration too long: its milliseconds overflow a number (got ${JSON.stringify(value)})`);
  else if (durationMs > 0 && durationMs < 1)
    report(path, `a duration shorter than 1ms rounds to nothing: give at least 1ms (got ${JSON.stringify(value)})`);
  else if (durationMs > MAX_WAIT_MS)
    report(path, `longer than the ${formatDuration(MAX_WAIT_MS)} this allows (got ${JSON.stringify(value)})`);
}
