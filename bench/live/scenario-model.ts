import type { ServiceName } from './topology.ts';

/**
 * What a scenario of the live benchmark is: its kind, the change it makes to the traffic
 * and the traffic's shape. Generating them (scenarios.ts), planning a change (changes.ts)
 * and the traffic (traffic.ts, logs.ts) all read these.
 */

/** Kinds that must raise nothing. */
export const BENIGN_KINDS = [
  'daily-wave',
  'weekly-wave',
  'deploy',
  'restart',
  'scale-out-in',
  'surge',
  'gc-sawtooth',
  'low-volume-errors',
  'clock-skew',
  'slow-host',
  'deploy-new-info-patterns',
] as const;

/** Kinds that must alert, on the service they touch. */
export const INCIDENT_KINDS = [
  'p50-shift',
  'p99-regression',
  'error-burst-high',
  'error-burst-low',
  'slow-burn',
  'memory-leak',
  'cpu-saturation',
  'queue-backlog',
  'traffic-drop',
  'cascade',
  'new-error-pattern',
  'log-error-burst',
] as const;

export type BenignKind = (typeof BENIGN_KINDS)[number];
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export type Kind = BenignKind | IncidentKind;
export const ALL_KINDS: readonly Kind[] = [...INCIDENT_KINDS, ...BENIGN_KINDS];

/** What changes in the traffic, from `fromStep` to `toStep` (global step indices). */
export type Change =
  | { type: 'none' }
  | { type: 'latency'; service: ServiceName; factor: number; rampSteps: number }
  | { type: 'tail'; service: ServiceName; share: number; extraMs: number }
  | { type: 'errors'; service: ServiceName; ratio: number; rampSteps: number }
  | { type: 'memory-leak'; service: ServiceName; instance: number; perStep: number }
  | { type: 'cpu'; service: ServiceName; level: number; latencyFactor: number }
  | { type: 'queue'; perStep: number }
  | { type: 'traffic-drop'; route: 'shop+cart' | 'cart' }
  | { type: 'cascade'; root: ServiceName; ratio: number; latencyFactor: number }
  | { type: 'deploy'; service: ServiceName; version: string }
  | { type: 'restart'; service: ServiceName; instance: number }
  | { type: 'scale'; service: ServiceName; inAtStep: number }
  | { type: 'surge'; factor: number }
  | { type: 'single-errors'; atSteps: number[] }
  | { type: 'skew'; service: ServiceName; instance: number; skewMs: number }
  | { type: 'late'; share: number }
  | { type: 'new-log-pattern'; service: ServiceName; perStep: number; message: number }
  | { type: 'log-burst'; service: ServiceName; level: 'WARN' | 'ERROR'; perStep: number }
  | { type: 'deploy-logs'; service: ServiceName; version: string };

/** The traffic's shape, whatever happens in it. */
export interface Shape {
  /** Frontend requests per step at the wave's mean. */
  baseRate: number;
  /** Reports requests per step (a low-volume service: 1–3). */
  reportsRate: number;
  /** A "day" of the wave, in steps (compressed so that history holds several). */
  daySteps: number;
  amplitude: number;
  phase: number;
  /** Weekends: a lower level for `lengthSteps` every `periodSteps`, first at `offsetStep`. */
  weekend: { periodSteps: number; offsetStep: number; lengthSteps: number; factor: number } | null;
  /** Surges of history (the surge kind repeats one of this size live). */
  historySurges: Array<{ fromStep: number; toStep: number; factor: number }>;
  /** Memory saw-tooth (GC) of a service: period in steps and height as a share of the heap. */
  gc: { service: ServiceName; periodSteps: number; height: number };
  /** Latency of every route times this (services differ between runs). */
  latencyScale: number;
  /** Share of requests failing in the background (and a failing callee fails its caller). */
  backgroundErrors: number;
}

export interface Scenario {
  id: string;
  kind: Kind;
  incident: boolean;
  seed: number;
  /** Time of step 0, ms; step `i` covers [startMs + i * stepMs, startMs + (i + 1) * stepMs). */
  startMs: number;
  stepMs: number;
  historySteps: number;
  liveSteps: number;
  /** The fault or benign event, in global steps: [fromStep, toStep). */
  fromStep: number;
  toStep: number;
  /** Incidents: the step from which the fault is as large as the documented magnitude. */
  noticeStep: number;
  /** Services the fault touches: an alert on one of them within the window is a detection. */
  faultServices: ServiceName[];
  /** The service a fault was injected into that others follow (a cascade's), else null. */
  rootService: ServiceName | null;
  /**
   * Services the fault reaches through the call graph (callers wait on a slow or failing
   * callee): a page on one of them within the window is not false, nor is it the detection.
   */
  affectedServices: ServiceName[];
  /** Signals the fault moves (prefixes: `latency_` covers p50, p95 and p99). */
  faultSignals: string[];
  change: Change;
  shape: Shape;
  /** What happens, as an on-call engineer would read it. */
  description: string;
}
