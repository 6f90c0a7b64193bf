import { describe, expect, it } from 'vitest';
import { substituteEnv } from '../../../src/scenario/env.js';

describe('substituteEnv', () => {
  it('replaces ${VAR} with its value and lists it as used', () => {
    expect(substituteEnv('http://${HOST}:${PORT}/', { HOST: 'api.test', PORT: '8080' })).toEqual({
      value: 'http://api.test:8080/',
      missing: [],
      used: ['HOST', 'PORT'],
      malformed: [],
    });
  });

  it('uses the default of ${VAR:-default} when VAR is unset', () => {
    expect(substituteEnv('${USERS:-10}', {})).toEqual({ value: '10', missing: [], used: [], malformed: [] });
  });

  it('uses the default of ${VAR:-default} when VAR is empty, as POSIX shells do', () => {
    expect(substituteEnv('${USERS:-10}', { USERS: '' })).toEqual({ value: '10', missing: [], used: [], malformed: [] });
  });

  it('prefers the value of VAR over the default when it is set', () => {
    expect(substituteEnv('${USERS:-10}', { USERS: '25' })).toEqual({ value: '25', missing: [], used: ['USERS'], malformed: [] });
  });

  it('keeps everything after :- as the default, including colons and spaces', () => {
    expect(substituteEnv('${URL:-http://127.0.0.1:8080/a b}', {}).value).toBe('http://127.0.0.1:8080/a b');
    expect(substituteEnv('[${EMPTY:-}]', {}).value).toBe('[]');
  });

  it('reads $${ as a literal ${ and does not substitute what follows', () => {
    expect(substituteEnv('cost: $${PRICE}', { PRICE: '5' })).toEqual({ value: 'cost: ${PRICE}', missing: [], used: [], malformed: [] });
  });

  it('reports a variable without default that is unset or empty by name, once, and leaves the reference as written', () => {
    expect(substituteEnv('Bearer ${TOKEN} ${TOKEN} ${OTHER}', { OTHER: '' })).toEqual({
      value: 'Bearer ${TOKEN} ${TOKEN} ${OTHER}',
      missing: ['TOKEN', 'OTHER'],
      used: [],
      malformed: [],
    });
  });

  it('lists each used name once, in order of first use', () => {
    expect(substituteEnv('${B}${A}${B}${C:-c}', { A: 'a', B: 'b' })).toEqual({
      value: 'babc',
      missing: [],
      used: ['B', 'A'],
      malformed: [],
    });
  });

  it('quotes malformed references as written: ${} and a name starting with a digit', () => {
    expect(substituteEnv('a ${} b ${1X} c', { '1X': 'no' })).toEqual({
      value: 'a ${} b ${1X} c',
      missing: [],
      used: [],
      malformed: ['${}', '${1X}'],
    });
    expect(substituteEnv('${A-B}', {}).malformed).toEqual(['${A-B}']);
    expect(substituteEnv('${ A }', { A: 'x' }).malformed).toEqual(['${ A }']);
  });

  it('returns text without a reference as is', () => {
    const text = 'price: $5, {braces}';
    const result = substituteEnv(text, { A: 'x' });
    expect(result).toEqual({ value: text, missing: [], used: [], malformed: [] });
  });
});

describe('substituteEnv: unclosed references', () => {
  it('reports ${NAME without its closing brace as malformed, and keeps $${ literal', () => {
    const result = substituteEnv('http://${HOST:-localhost', {});
    expect(result.malformed).toEqual(['${HOST:-localhost']);
    expect(result.value).toBe('http://${HOST:-localhost');
    expect(substituteEnv('$${HOST}', {}).value).toBe('${HOST}');
  });

  it('reads only variables the environment has: ${constructor}, ${toString}, ${__proto__} are not inherited ones', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(substituteEnv(`\${${name}}`, {})).toEqual({ value: `\${${name}}`, missing: [name], used: [], malformed: [] });
      expect(substituteEnv(`\${${name}:-x}`, {}).value).toBe('x');
    }
    expect(substituteEnv('${toString}', { toString: 'set' }).value).toBe('set');
  });
});
