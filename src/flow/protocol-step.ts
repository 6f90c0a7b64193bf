import type { PlannedRequest } from '../plan/build-plan.js';
import type { Template, TemplateScope } from '../scenario/template.js';
import type { StepReply } from '../transport/step-target.js';
import type { TlsSettings } from '../transport/tls-settings.js';

/**
 * What a protocol step (`ws:`, `sse:`, `grpc:`; plan/planned-protocol.ts) may use of the virtual user that runs
 * it: its variables (read, and set by captures), its templates' rendering, and the redaction of its secrets.
 * A flow's session is one (flow/flow-target.ts).
 */
export interface ProtocolUser extends TemplateScope {
  /** The user's index in the whole plan (over every thread and shard). */
  readonly userIndex: number;
  /** Renders a template with this user's variables and random stream; throws as `renderTemplate` does. */
  render(template: Template): string;
  /** Sets one of this user's variables (a capture). */
  set(name: string, value: string): void;
  /** A failure reason without the secrets this user holds or sends: say it through this before reporting it. */
  redact(text: string): string;
}

/** One protocol step in flight. */
export interface ProtocolRun {
  /**
   * Gives the step up: its outcome is never reported, everything it holds is released. Returns the bytes it sent.
   * On a run that has already reported its outcome: does nothing, returns 0.
   */
  abort(): number;
}

/**
 * Runs one protocol step of a plan, for every user of a thread. `start` reports the step's outcome to `reply`
 * exactly once (possibly synchronously), unless the returned run is aborted first; between the two it may
 * report built-in metrics (`reply.stepMetric`). A target's fault is an outcome (`stepFailed` with an error
 * whose code is in transport/request-errors.ts), never a throw.
 */
export interface ProtocolStepRunner {
  start(user: ProtocolUser, reply: StepReply): ProtocolRun;
  /** Releases what the runner shares between users (channels, agents). Called once, after every run ended. */
  close(): Promise<void>;
}

/** What a runner is made with, once per thread: the plan's settings it may need. */
export interface ProtocolRunnerOptions {
  readonly tls?: TlsSettings;
  readonly connectTimeoutMs: number;
  /** The plan's custom metrics by name: a built-in metric is reported by its index in here (-1: absent). */
  readonly customMetricNames: readonly string[];
}

/** Makes a runner for the protocol step of `request` (`request.protocol` is set). */
export type ProtocolRunnerFactory = (request: PlannedRequest, options: ProtocolRunnerOptions) => ProtocolStepRunner;
