/**
 * The programmatic API: a façade over the same modules the CLI uses.
 * Later additions (LoadGenerator, MetricsCollector, SLAPolicy, PerformanceDashboard) are exported here too.
 */
export { ExitCode, LoadseedError, ScenarioError, UsageError, formatIssue } from './errors.js';
export type { ScenarioIssue, SourceLocation } from './errors.js';
export { loadScenario, parseScenario } from './scenario/load-scenario.js';
export type { LoadScenarioOptions } from './scenario/load-scenario.js';
export type { Scenario, ScenarioData } from './scenario/types.js';
export { formatDuration, parseDurationMs } from './scenario/duration.js';
export type { Duration } from './scenario/duration.js';
export { buildPlan } from './plan/build-plan.js';
export type { Plan, PlannedRequest } from './plan/build-plan.js';
export { describePlan } from './plan/describe-plan.js';
export type { LoadProfile, Stage } from './plan/profile.js';
export { startTargetServer } from './target/target-server.js';
export type { TargetServer, TargetServerOptions } from './target/target-server.js';
export { LOADSEED_VERSION } from './version.js';
