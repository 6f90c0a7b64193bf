import type UPlot from 'uplot';

/** uPlot's IIFE build, inlined by the report before this script, defines this global. */
declare const uPlot: typeof UPlot | undefined;

/** The charting library, or undefined when the page was opened without it (nothing to draw with then). */
export function inlinedUPlot(): typeof UPlot | undefined {
  return typeof uPlot === 'function' ? uPlot : undefined;
}
