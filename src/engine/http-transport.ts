import { assertNever } from '../errors.js';
import type { Plan } from '../plan/build-plan.js';
import type { Segment } from '../plan/segment.js';
import { SocketHttpTarget } from '../transport/socket-http-target.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../transport/http-rules.js';
import type { FlowTarget } from '../flow/flow-target.js';
import type { StepTarget } from '../transport/step-target.js';

/**
 * How HTTP is sent: `socket`, loadseed's own HTTP/1.1 on raw sockets (transport/socket-http-target.ts: http:
 * and https:), the static fast path; or `flow`, user journeys (flow/flow-target.ts: templates, checks,
 * captures, cookies, redirects, HTTP/2, on undici). A third, static requests through undici's
 * Client.dispatch, lives in bench/undici/ for comparison only.
 */
export type HttpTransport = 'socket' | 'flow';

/** Where a target runs: its thread's segment of the plan, and what `setup` captured. */
export interface TargetContext {
  readonly segment?: Segment;
  readonly setupVariables?: Readonly<Record<string, string>>;
}

/**
 * The one place that picks a plan's transport: `flow` when the plan uses any user-journey feature (see
 * PlannedFlow), else the raw sockets. A scenario without those features never pays for them.
 */
export function httpTransportOf(plan: Pick<Plan, 'flow'>): HttpTransport {
  return plan.flow === undefined ? 'socket' : 'flow';
}

/**
 * The target that sends a plan's requests over `transport` (default: the plan's own, see httpTransportOf).
 * undici is imported only when used: loading it costs ≈20 MB of memory (its WebAssembly parser).
 */
export async function createHttpTarget(
  plan: Pick<Plan, 'requests' | 'keepAlive' | 'flow' | 'tls'> & Partial<Pick<Plan, 'secrets' | 'customMetrics'>>,
  transport: HttpTransport = httpTransportOf(plan),
  context: TargetContext = {},
): Promise<StepTarget> {
  const tls = plan.tls === undefined ? {} : { tls: plan.tls };
  switch (transport) {
    case 'socket':
      return new SocketHttpTarget(plan.requests, { keepAlive: plan.keepAlive, ...tls });
    case 'flow': {
      if (plan.flow === undefined) throw new Error('the flow transport needs a plan with flow settings');
      const { FlowTarget } = await import('../flow/flow-target.js');
      const hooksUrl = plan.flow.hooksUrl;
      const hooks = hooksUrl === undefined ? undefined : await (await import('../flow/hooks.js')).importHookFunctions(hooksUrl);
      const customMetricNames = plan.customMetrics?.map((metric) => metric.name) ?? [];
      const protocolRunners = await (
        await import('../flow/protocol-runners.js')
      ).loadProtocolRunners(plan.requests, { ...tls, connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, customMetricNames });
      return new FlowTarget(plan.requests, plan.flow, {
        ...(hooks === undefined ? {} : { hooks }),
        ...(protocolRunners === undefined ? {} : { protocolRunners }),
        keepAlive: plan.keepAlive,
        ...tls,
        ...context,
        ...(plan.secrets === undefined ? {} : { secrets: plan.secrets }),
        ...(plan.customMetrics === undefined ? {} : { customMetricNames: plan.customMetrics.map((metric) => metric.name) }),
      });
    }
    default:
      return assertNever(transport);
  }
}

/**
 * Runs a plan's `setup` requests once (on the flow transport), before the load: what they captured, and why
 * any failed. Nothing when the plan has no setup.
 */
export async function runSetup(
  plan: Pick<Plan, 'requests' | 'keepAlive' | 'flow' | 'tls'> & Partial<Pick<Plan, 'secrets'>>,
): Promise<{ readonly variables: Record<string, string>; readonly failures: readonly string[] }> {
  if (plan.flow === undefined || plan.flow.setup.length === 0) return { variables: {}, failures: [] };
  const target = (await createHttpTarget(plan, 'flow')) as FlowTarget;
  try {
    return await target.runSetup();
  } finally {
    await target.close();
  }
}
