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
  /** Replicas to run from `nowMs`, given those running (ready or starting) and the observed rate. */
  decide(nowMs: number, currentReplicas: number, observedRate: number): number;
}

export interface SimulationOptions {
  timestampsMs: ArrayLike<number>;
  values: ArrayLike<number>;
  /** Demand one ready replica serves, in the trace's units. */
  perReplica: number;
  startupDelayMs: number;
  tickMs: number;
  rateWindowMs: number;
  initialReplicas: number;
  controller: Controller;
}

export interface SimulationResult {
  /** Minutes with demand above the capacity of the ready replicas. */
  underProvisionedMinutes: number;
  /** Replica-hours paid for: ready and starting replicas. */
  replicaHours: number;
  /** Decisions that changed the replica count. */
  scalingActions: number;
  minutes: number;
  peakReplicas: number;
}

const MINUTE_MS = 60_000;

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
  let replicaMs = 0;
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
      if (values[at]! > capacity) underMs += segmentEnd - segmentStart;
      segmentStart = segmentEnd;
    }
    replicaMs += (ready + starting.length) * (tickEnd - nowMs);
  }
  return {
    underProvisionedMinutes: underMs / MINUTE_MS,
    replicaHours: replicaMs / 3_600_000,
    scalingActions: actions,
    minutes: (endMs - startMs) / MINUTE_MS,
    peakReplicas: peak,
  };
}
