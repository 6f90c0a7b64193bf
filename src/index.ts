/**
 * The programmatic API: a façade over the same modules the CLI uses.
 */
export { LoadGenerator } from './api/load-generator.js';
export type {
  ArrivalRateOptions,
  ConstantLoadOptions,
  LoadGeneratorOptions,
  LoadResult,
  RampUpOptions,
  StagesOptions,
  TargetFunction,
  TargetFunctionContext,
  TargetOutcome,
} from './api/load-generator.js';
export { MetricsCollector } from './api/metrics-collector.js';
export type { MetricsInput, MetricsSummary, SlaValidation } from './api/metrics-collector.js';
export { SLAPolicy } from './api/sla-policy.js';
export { PerformanceDashboard } from './api/performance-dashboard.js';
export type { HtmlReportOptions } from './api/performance-dashboard.js';
export type { SLAPolicyOptions } from './api/sla-policy.js';
export type { ThresholdOutcome } from './sla/evaluate-thresholds.js';
export type { PlannedThreshold, ThresholdMetric } from './plan/thresholds.js';
export type {
  AbortedByDocument,
  LatencyMs,
  ResultsDocument,
  StatsDocument,
  ThresholdDocument,
  Verdict,
} from './results/results-document.js';
export { DIAGNOSIS_LIMITS, diagnose } from './results/diagnose.js';
export type { Diagnosis, DiagnosisLimits, DiagnosisRule } from './results/diagnose.js';
export { ExitCode, LoadseedError, ScenarioError, UsageError, formatIssue } from './errors.js';
export type { ScenarioIssue, SourceLocation } from './errors.js';
export { loadScenario, parseScenario, scenarioFromData } from './scenario/load-scenario.js';
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
