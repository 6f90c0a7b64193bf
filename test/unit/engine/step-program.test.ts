import { describe, expect, it } from 'vitest';
import { compileSteps } from '../../../src/engine/step-program.js';
import { compileCondition } from '../../../src/scenario/expression.js';

const think = { minMs: 5, maxMs: 5 };

describe('compileSteps', () => {
  it('flattens nested loops into jumps, one pass counter per loop', () => {
    const condition = compileCondition("{{ s != 'done' }}").expression;
    const program = compileSteps([
      { kind: 'request', requestIndex: 0 },
      {
        kind: 'loop',
        maxPasses: 20,
        while: condition,
        thinkTime: think,
        steps: [
          { kind: 'request', requestIndex: 1 },
          { kind: 'loop', maxPasses: 2, steps: [{ kind: 'request', requestIndex: 2 }] },
        ],
      },
      { kind: 'think', thinkTime: think },
    ]);
    expect(program.instructions).toEqual([
      { op: 'request', requestIndex: 0, condition: undefined },
      { op: 'enter', slot: 0, condition: undefined, exit: 9 },
      { op: 'pass', slot: 0, maxPasses: 20, while: condition, thinkTime: think, exit: 9 },
      { op: 'request', requestIndex: 1, condition: undefined },
      { op: 'enter', slot: 1, condition: undefined, exit: 8 },
      { op: 'pass', slot: 1, maxPasses: 2, while: undefined, thinkTime: undefined, exit: 8 },
      { op: 'request', requestIndex: 2, condition: undefined },
      { op: 'repeat', pass: 5 },
      { op: 'repeat', pass: 2 },
      { op: 'think', thinkTime: think },
    ]);
    expect(program.slots).toBe(2);
    // The outer loop may go round again: no request is sent only past its repeat.
    expect(program.lastRequestAt).toBe(8);
  });

  it('knows a program that sends nothing, and a loop of pauses after the last request', () => {
    expect(compileSteps([{ kind: 'loop', maxPasses: 3, steps: [{ kind: 'think', thinkTime: think }] }]).lastRequestAt).toBe(-1);
    const program = compileSteps([
      { kind: 'request', requestIndex: 0 },
      { kind: 'loop', maxPasses: 3, steps: [{ kind: 'think', thinkTime: think }] },
    ]);
    expect(program.lastRequestAt).toBe(0);
    expect(structuredClone(program)).toEqual(program);
  });
});
