/**
 * A service under a demand trace: capacity = ready replicas × throughput per replica; a
 * replica asked for becomes ready `startupDelayMs` later; a controller decides the replica
 * count every `tickMs` (the HPA's 15 s sync period) from what it can know at that moment.
 *
 * The trace's value at row i is the demand rate from its timestamp to the next row's (the
 * last row ends the trace). The controller reads the average demand of the last
 * `rateWindowMs` (as a request-rate metric would) and learns row i only once row i's
 * interval is over, so nothing it sees comes from the future.
 */

export interface Controller {
  /** Row `timestampMs` (demand `value`) is over and known; called in row order. */
  learn(timestampMs: number, value: number): void;
  /** A tick is over: what its ready replicas saw, as their telemetry would say it. */
  telemetry?(sample: TickTelemetry): void;
  /** Replicas to run from `nowMs`, given those running (ready or starting) and the observed rate. */
  decide(nowMs: number, currentReplicas: number, observedRate: number): number;
}

/** One tick's telemetry: the load on each ready replica, its mean latency and error ratio. */
export interface TickTelemetry {
  loadPerReplica: number;
  latency: number;
  errorRatio: number;
}

export interface SimulationOptions {
  timestampsMs: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Demand one ready replica serves, in the trace's units. */
  perReplica: number;
  /**
   * Workers per replica: latency follows an M/M/k queue (unloaded latency 1), so it rises
   * as load nears capacity; above capacity a replica serves its capacity and fails the rest
   * (default 4).
   */
  workers?: number;
  startupDelayMs: number;
  tickMs: number;
  rateWindowMs: number;
  initialReplicas: number;
  controller: Controller;
}

export interface SimulationResult {
  /** Minutes with demand above the capacity of the ready replicas. */
  underProvisionedMinutes: number;
  /** Demand above capacity, integrated: demand units × minutes (requests/s × min for rates). */
  unservedDemandMinutes: number;
  /** Replica-hours paid for: ready and starting replicas. */
  replicaHours: number;
  /** Decisions that changed the replica count. */
  scalingActions: number;
  minutes: number;
  peakReplicas: number;
}

const MINUTE_MS = 60_000;

/** Erlang C: the chance a request waits in an M/M/k queue offered `a` erlangs (a < k). */
export function erlangC(k: number, a: number): number {
  let sum = 0;
  let term = 1;
  for (let i = 0; i < k; i++) {
    if (i > 0) term *= a / i;
    sum += term;
  }
  const waiting = ((term * a) / k) * (k / (k - a));
  return waiting / (sum + waiting);
}

/** What a replica at `load` with capacity `capacity` and `k` workers reports. */
export function replicaTelemetry(load: number, capacity: number, k: number): TickTelemetry {
  const rho = load / capacity;
  if (rho >= 1) return { loadPerReplica: load, latency: 20, errorRatio: 1 - 1 / rho };
  const a = k * rho;
  return { loadPerReplica: load, latency: 1 + erlangC(k, a) / (k - a), errorRatio: 0 };
}

/** Runs the trace through the controller; exact for piecewise-constant demand. */
export function simulate(options: SimulationOptions): SimulationResult {
  const { timestampsMs: times, values, perReplica, controller } = options;
  const rows = values.length;
  if (rows < 2 || times.length !== rows) throw new Error('a trace needs two rows or more');
  // Integral of demand up to each row start, to read the average over any window.
  const integral = new Float64Array(rows);
  for (let row = 1; row < rows; row++) {
    integral[row] = integral[row - 1]! + values[row - 1]! * (times[row]! - times[row - 1]!);
  }
  let cursor = 0;
  /** Demand integrated from the first row to `timeMs` (within the trace). */
  const integralAt = (timeMs: number): number => {
    while (cursor > 0 && times[cursor]! > timeMs) cursor--;
    while (cursor + 1 < rows && times[cursor + 1]! <= timeMs) cursor++;
    return integral[cursor]! + values[cursor]! * (timeMs - times[cursor]!);
  };

  const startMs = times[0]!;
  const endMs = times[rows - 1]!;
  /** Ready times of starting replicas, oldest first. */
  const starting: number[] = [];
  let ready = options.initialReplicas;
  let learned = 0;
  let row = 0;
  let underMs = 0;
  let unserved = 0;
  let replicaMs = 0;
  const workers = options.workers ?? 4;
  let noise = 1;
  let actions = 0;
  let peak = ready;
  for (let nowMs = startMs; nowMs < endMs; nowMs += options.tickMs) {
    while (starting.length > 0 && starting[0]! <= nowMs) {
      starting.shift();
      ready++;
    }
    while (learned + 1 < rows && times[learned + 1]! <= nowMs) {
      controller.learn(times[learned]!, values[learned]!);
      learned++;
    }
    const windowStart = Math.max(startMs, nowMs - options.rateWindowMs);
    const observed =
      nowMs > windowStart
        ? (integralAt(nowMs) - integralAt(windowStart)) / (nowMs - windowStart)
        : values[0]!;
    const running = ready + starting.length;
    const desired = controller.decide(nowMs, running, observed);
    if (desired !== running) actions++;
    if (desired > running) {
      for (let added = running; added < desired; added++) {
        starting.push(nowMs + options.startupDelayMs);
      }
    } else {
      // Replicas still starting go first (a ReplicaSet deletes unready pods first).
      let remove = running - desired;
      while (remove > 0 && starting.length > 0) {
        starting.pop();
        remove--;
      }
      ready -= remove;
    }
    peak = Math.max(peak, desired);
    // Within the tick, capacity is fixed (readiness falls on ticks) and demand is piecewise constant.
    const tickEnd = Math.min(nowMs + options.tickMs, endMs);
    const capacity = ready * perReplica;
    while (row + 1 < rows && times[row + 1]! <= nowMs) row++;
    let segmentStart = nowMs;
    for (let at = row; segmentStart < tickEnd; at++) {
      const segmentEnd = at + 1 < rows ? Math.min(times[at + 1]!, tickEnd) : tickEnd;
      if (values[at]! > capacity) {
        underMs += segmentEnd - segmentStart;
        unserved += ((values[at]! - capacity) * (segmentEnd - segmentStart)) / MINUTE_MS;
      }
      segmentStart = segmentEnd;
    }
    replicaMs += (ready + starting.length) * (tickEnd - nowMs);
    if (controller.telemetry && ready > 0 && tickEnd > nowMs) {
      const demand = (integralAt(tickEnd) - integralAt(nowMs)) / (tickEnd - nowMs);
      const seen = replicaTelemetry(demand / ready, perReplica, workers);
      // Latency as measured: ±5% of noise (a fixed sequence, so runs repeat).
      noise = (noise * 1103515245 + 12345) % 2147483648;
      seen.latency *= 1 + 0.1 * (noise / 2147483648 - 0.5);
      controller.telemetry(seen);
    }
  }
  return {
    underProvisionedMinutes: underMs / MINUTE_MS,
    unservedDemandMinutes: unserved,
    replicaHours: replicaMs / 3_600_000,
    scalingActions: actions,
    minutes: (endMs - startMs) / MINUTE_MS,
    peakReplicas: peak,
  };
}
