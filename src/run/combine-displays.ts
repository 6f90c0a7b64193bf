import type { ProgressDisplay } from './execute-plan.js';

/**
 * Several live displays on the run's one progress timer (the console's progress and the web dashboard): ticks
 * at the shortest of their intervals, each tick handed to every one of them (each throttles its own drawing).
 * Undefined when there is none.
 */
export function combineDisplays(displays: readonly ProgressDisplay[]): ProgressDisplay | undefined {
  const [first, ...others] = displays;
  if (first === undefined || others.length === 0) return first;
  return {
    intervalMs: Math.min(...displays.map((display) => display.intervalMs)),
    update: (progress) => {
      for (const display of displays) display.update(progress);
    },
  };
}
