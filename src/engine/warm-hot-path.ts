import { Recorder } from '../metrics/recorder.js';
import { ResponseScanner } from '../transport/response-scanner.js';

/** Enough calls for V8 to optimise the functions (it tiers up after a few thousand), little enough to be quick. */
const WARM_CALLS = 20_000;
const WARM_RESPONSE = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
/** Whether this thread has run the warm-up already. */
let warmed = false;

/**
 * Runs loadseed's own hot path — the response scanner and the recorder — on synthetic data before t=0, so the
 * first measured seconds are not those of cold, unoptimised code (its cost lands in the latency tail of a short
 * run). Sends nothing to anyone; the scratch recorder is thrown away. Once per thread: optimised code is the
 * thread's, and a run that warms its transport first (warm-transport.ts) would otherwise pay for it twice
 * (160 ms of CPU before t=0, measured on a busy core).
 */
export function warmHotPath(requestNames: readonly string[]): void {
  if (warmed) return;
  warmed = true;
  const scanner = new ResponseScanner();
  for (let i = 0; i < WARM_CALLS; i++) {
    scanner.begin(false);
    scanner.feed(WARM_RESPONSE, 0, WARM_RESPONSE.length);
  }
  const scratch = new Recorder(requestNames);
  scratch.start(0);
  const names = Math.max(1, requestNames.length);
  for (let i = 0; i < WARM_CALLS; i++) {
    scratch.recordResponse(i % names, 200, true, 500 + (i % 20_000), 400 + (i % 20_000), 120, 80, (i % 1000) / 10);
  }
}
