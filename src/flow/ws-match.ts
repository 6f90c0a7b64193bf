import type { PlannedWsExpect } from '../plan/planned-ws.js';
import { firstJsonMatch } from './capture.js';
import { jsonEqual } from './checks.js';
import type { ProtocolUser } from './protocol-step.js';

/** A `ws:` expect ready to test messages: its templates rendered for one user, its regex compiled. */
export interface WsMatcher {
  /** Whether one message (its text) matches. */
  matches(text: string): boolean;
}

/** The compiled regexes of a step's expects, by source: compiled once per runner, shared by every session. */
export type RegexCache = Map<string, RegExp>;

/**
 * The matcher of `expect` for `user`: templates (text, contains, a string equals) are rendered once, here;
 * throws as `user.render` does (a missing variable).
 */
export function wsMatcherOf(expect: PlannedWsExpect, user: ProtocolUser, regexes: RegexCache): WsMatcher {
  const test = expect.test;
  let compare: (value: unknown, text: string) => boolean;
  switch (test.kind) {
    case 'exists':
      compare = () => true;
      break;
    case 'equals': {
      const wanted = test.value;
      compare = (value) => jsonEqual(value, wanted);
      break;
    }
    case 'equalsText': {
      const wanted = user.render(test.value);
      compare = (value) => value === wanted;
      break;
    }
    case 'contains': {
      const wanted = user.render(test.value);
      compare = (value, text) => (expect.json === undefined ? text : textOf(value)).includes(wanted);
      break;
    }
    case 'regex': {
      let regex = regexes.get(test.source);
      if (regex === undefined) {
        regex = new RegExp(test.source);
        regexes.set(test.source, regex);
      }
      const compiled = regex;
      compare = (value, text) => compiled.test(expect.json === undefined ? text : textOf(value));
      break;
    }
    case 'text': {
      const wanted = user.render(test.value);
      compare = (_value, text) => text === wanted;
      break;
    }
  }
  const path = expect.json;
  if (path === undefined) return { matches: (text) => compare(text, text) };
  return {
    matches: (text) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return false;
      }
      const selected = firstJsonMatch(path, parsed);
      return selected.kind === 'match' && compare(selected.value, text);
    },
  };
}

/** A selected JSON value as text: a string as it is, anything else as JSON. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}
