import type { PlannedStep, PlannedThinkTime } from '../plan/build-plan.js';
import type { Expression } from '../scenario/expression.js';

/**
 * An iteration's steps as a flat program a virtual user walks with one index: nested loops become jumps, so
 * the user keeps no stack, only a pass counter per loop (its `slot`).
 *
 * - `request`: send it, unless its condition does not hold (then go on to the next instruction).
 * - `think`: pause.
 * - `enter`: a loop begins: its pass counter is reset; when its condition does not hold, jump to `exit`.
 * - `pass`: before each pass: after `maxPasses` passes, or when `while` does not hold, jump to `exit`; else
 *   count the pass (pausing `thinkTime` first, from the second pass on) and run the body.
 * - `repeat`: the end of a loop's body: back to its `pass`.
 */
export type Instruction =
  | { readonly op: 'request'; readonly requestIndex: number; readonly condition: Expression | undefined }
  | { readonly op: 'think'; readonly thinkTime: PlannedThinkTime }
  | { readonly op: 'enter'; readonly slot: number; readonly condition: Expression | undefined; readonly exit: number }
  | {
      readonly op: 'pass';
      readonly slot: number;
      readonly maxPasses: number;
      readonly while: Expression | undefined;
      readonly thinkTime: PlannedThinkTime | undefined;
      readonly exit: number;
    }
  | { readonly op: 'repeat'; readonly pass: number };

export interface StepProgram {
  readonly instructions: readonly Instruction[];
  /** How many loops (pass counters) the program has. */
  readonly slots: number;
  /**
   * The index past which no request can be sent: the last request, or the `repeat` of a loop holding one (the
   * loop may go round again). An open-model iteration ends when it passes it; -1: the program sends nothing.
   */
  readonly lastRequestAt: number;
}

/** Flattens planned steps into a program. */
export function compileSteps(steps: readonly PlannedStep[]): StepProgram {
  const instructions: Instruction[] = [];
  let slots = 0;
  const emit = (list: readonly PlannedStep[]): void => {
    for (const step of list) {
      switch (step.kind) {
        case 'request':
          instructions.push({ op: 'request', requestIndex: step.requestIndex, condition: step.condition });
          break;
        case 'think':
          instructions.push({ op: 'think', thinkTime: step.thinkTime });
          break;
        case 'loop': {
          const slot = slots++;
          const enterAt = instructions.push({ op: 'repeat', pass: -1 }) - 1;
          const passAt = instructions.push({ op: 'repeat', pass: -1 }) - 1;
          emit(step.steps);
          instructions.push({ op: 'repeat', pass: passAt });
          const exit = instructions.length;
          instructions[enterAt] = { op: 'enter', slot, condition: step.condition, exit };
          instructions[passAt] = { op: 'pass', slot, maxPasses: step.maxPasses, while: step.while, thinkTime: step.thinkTime, exit };
          break;
        }
      }
    }
  };
  emit(steps);
  return { instructions, slots, lastRequestAt: lastRequestAtOf(instructions) };
}

function lastRequestAtOf(instructions: readonly Instruction[]): number {
  for (let index = instructions.length - 1; index >= 0; index--) {
    const instruction = instructions[index] as Instruction;
    if (instruction.op === 'request') return index;
    if (instruction.op === 'repeat' && instructions.slice(instruction.pass + 1, index).some((inner) => inner.op === 'request'))
      return index;
  }
  return -1;
}
