import { createLogs, type PlannedLog } from './logs.ts';
import { METRICS, type PlannedPoint, type PlannedSpan } from './planned-telemetry.ts';
import { createRandom } from './random.ts';
import type { Scenario } from './scenario-model.ts';
import { FRONTEND_MIX, INITIAL_INSTANCES, ROUTES, SERVICES, type ServiceName } from './topology.ts';

export interface StepTelemetry {
  spans: PlannedSpan[];
  points: PlannedPoint[];
  logs: PlannedLog[];
}

interface Instance {
  id: string;
  version: string;
  startStep: number;
  /** Heap of a warm instance, bytes. */
  heapBytes: number;
  /** Offset of its GC cycle, steps. */
  gcOffset: number;
  skewMs: number;
}

const STABLE_VERSION = '1.4.0';
const MIB = 1_048_576;

/** The telemetry of a scenario, step by step (call `step` with increasing indices). */
export function createTraffic(scenario: Scenario): { step(index: number): StepTelemetry } {
  const random = createRandom(scenario.seed ^ 0x5eed);
  const { shape, change } = scenario;
  const instances = new Map<ServiceName, Instance[]>();
  let restarts = 0;
  const newInstance = (
    service: ServiceName,
    index: number,
    step: number,
    version: string,
  ): Instance => ({
    id:
      step === 0
        ? `${service}-${index}`
        : `${service}-${index}-${(++restarts).toString(36)}${random.hex(8).slice(0, 5)}`,
    version,
    startStep: step,
    heapBytes: (120 + 40 * SERVICES.indexOf(service)) * MIB * random.between(0.95, 1.05),
    gcOffset: random.integer(0, 50),
    skewMs: 0,
  });
  for (const service of SERVICES) {
    instances.set(
      service,
      Array.from({ length: INITIAL_INSTANCES[service] }, (_, index) =>
        newInstance(service, index, 0, STABLE_VERSION),
      ),
    );
  }
  const meanLoad = expectedLoad(scenario);
  const logs = createLogs(scenario);
  const live = (step: number) => step >= scenario.fromStep && step < scenario.toStep;

  const applyChanges = (step: number) => {
    if (step === scenario.fromStep) {
      if (change.type === 'restart') replace(change.service, change.instance, step, undefined);
      if (change.type === 'scale') {
        const list = instances.get(change.service)!;
        list.push(newInstance(change.service, list.length, step, list[0]!.version));
      }
      if (change.type === 'deploy' || change.type === 'deploy-logs')
        replace(change.service, 0, step, change.version);
      if (change.type === 'skew')
        instances.get(change.service)![change.instance]!.skewMs = change.skewMs;
    }
    if (
      (change.type === 'deploy' || change.type === 'deploy-logs') &&
      step === scenario.fromStep + 2
    )
      replace(change.service, 1, step, change.version);
    if (change.type === 'scale' && step === change.inAtStep) instances.get(change.service)!.pop();
    // The leak is fixed the way on-call fixes one: the instance is restarted.
    if (change.type === 'memory-leak' && step === scenario.toStep)
      replace(change.service, change.instance, step, undefined);
  };
  const replace = (
    service: ServiceName,
    index: number,
    step: number,
    version: string | undefined,
  ) => {
    const list = instances.get(service)!;
    const old = list[index]!;
    list[index] = newInstance(service, index, step, version ?? old.version);
  };

  const latencyFactor = (service: ServiceName, step: number): number => {
    if (!live(step)) return 1;
    if (change.type === 'latency' && change.service === service)
      return ramped(change.factor - 1, change.rampSteps, step) + 1;
    if (change.type === 'cpu' && change.service === service) return change.latencyFactor;
    if (change.type === 'cascade' && change.root === service) return change.latencyFactor;
    return 1;
  };
  const errorRatio = (service: ServiceName, step: number): number => {
    if (live(step)) {
      if (change.type === 'errors' && change.service === service)
        return ramped(change.ratio, change.rampSteps, step);
      if (change.type === 'cascade' && change.root === service) return change.ratio;
    }
    return shape.backgroundErrors;
  };
  const ramped = (full: number, rampSteps: number, step: number) =>
    rampSteps <= 0 ? full : full * Math.min(1, (step - scenario.fromStep + 1) / rampSteps);

  return {
    step(step) {
      applyChanges(step);
      const stepStart = scenario.startMs + step * scenario.stepMs;
      const late = () => change.type === 'late' && live(step) && random.next() < change.share;
      const spans: PlannedSpan[] = [];
      const handled = new Map<string, number>();
      const serve = (
        key: string,
        startMs: number,
        traceId: string,
        parent: string | null,
      ): PlannedSpan => {
        const route = ROUTES[key]!;
        const pool = instances.get(route.service)!;
        const instance = pool[Math.floor(random.next() * pool.length)]!;
        handled.set(instance.id, (handled.get(instance.id) ?? 0) + 1);
        const spanId = random.hex(8);
        let own =
          route.medianMs *
          shape.latencyScale *
          Math.exp(0.3 * random.normal()) *
          latencyFactor(route.service, step);
        if (
          change.type === 'tail' &&
          change.service === route.service &&
          live(step) &&
          random.next() < change.share
        ) {
          own += change.extraMs;
        }
        let error = random.next() < errorRatio(route.service, step);
        let elapsed = own;
        for (const call of route.calls) {
          if (random.next() >= call.share) continue;
          const child = serve(call.route, startMs + elapsed / 2, traceId, spanId);
          if (child.kind === 'consumer') continue; // asynchronous: the caller does not wait
          elapsed += child.durationMs;
          if (child.error && random.next() < 0.8) error = true;
        }
        const span: PlannedSpan = {
          traceId,
          spanId,
          parentSpanId: parent,
          service: route.service,
          instance: instance.id,
          version: instance.version,
          name: route.name,
          kind: route.kind,
          method: route.method,
          route: route.route,
          startMs: startMs + instance.skewMs,
          durationMs: elapsed,
          error,
          late: late(),
        };
        spans.push(span);
        return span;
      };
      const frontendRequests = random.poisson(frontendRate(scenario, step));
      const dropped = change.type === 'traffic-drop' && live(step) ? change.route : null;
      for (let i = 0; i < frontendRequests; i++) {
        const key = random.next() < FRONTEND_MIX[0]!.share ? 'shop' : 'cart';
        if (dropped === 'shop+cart' || (dropped === 'cart' && key === 'cart')) continue;
        serve(key, stepStart + random.next() * (scenario.stepMs - 1000), random.hex(16), null);
      }
      let reports = random.poisson(shape.reportsRate);
      const singleError = change.type === 'single-errors' && change.atSteps.includes(step);
      if (singleError) reports = Math.max(reports, 1);
      for (let i = 0; i < reports; i++) {
        const span = serve(
          'export',
          stepStart + random.next() * (scenario.stepMs - 1000),
          random.hex(16),
          null,
        );
        if (singleError) span.error = i === 0;
      }
      return { spans, points: points(step, handled), logs: logs.step(step, spans, instances) };
    },
  };

  function points(step: number, handled: Map<string, number>): PlannedPoint[] {
    const out: PlannedPoint[] = [];
    for (const service of SERVICES) {
      const pool = instances.get(service)!;
      for (const [index, instance] of pool.entries()) {
        const point = (metric: PlannedPoint['metric'], value: number): PlannedPoint => ({
          service,
          instance: instance.id,
          version: instance.version,
          metric,
          timeMs: scenario.startMs + step * scenario.stepMs + 30_000 + instance.skewMs,
          value,
          late: change.type === 'late' && live(step) && random.next() < change.share,
        });
        const share =
          (handled.get(instance.id) ?? 0) /
          Math.max(1e-9, meanLoad[service] / INITIAL_INSTANCES[service]);
        let cpu = 0.06 + 0.3 * share + 0.015 * random.normal();
        if (change.type === 'cpu' && change.service === service && live(step))
          cpu = change.level + 0.01 * random.normal();
        out.push(point(METRICS.cpu, Math.min(1, Math.max(0.01, cpu))));
        out.push(point(METRICS.memory, memory(instance, service, index, step)));
        if (service === 'orders-worker') {
          let depth = 8 + Math.sqrt(8) * random.normal();
          if (change.type === 'queue' && live(step))
            depth += change.perStep * (step - scenario.fromStep + 1);
          out.push(point(METRICS.queue, Math.max(0, Math.round(depth))));
        }
      }
    }
    return out;
  }

  function memory(instance: Instance, service: ServiceName, index: number, step: number): number {
    const gc = shape.gc.service === service ? shape.gc : { periodSteps: 30, height: 0.03 };
    const cycle = ((step + instance.gcOffset) % gc.periodSteps) / gc.periodSteps;
    // A fresh process warms up to its working set over ten steps.
    const warm = 0.6 + 0.4 * Math.min(1, (step - instance.startStep) / 10);
    let bytes = instance.heapBytes * warm * (1 + gc.height * cycle) * (1 + 0.005 * random.normal());
    if (
      change.type === 'memory-leak' &&
      change.service === service &&
      change.instance === index &&
      live(step)
    ) {
      bytes += instance.heapBytes * change.perStep * (step - scenario.fromStep + 1);
    }
    return Math.round(bytes);
  }
}

/** Frontend requests per step: the wave, weekends and surges. */
export function frontendRate(scenario: Scenario, step: number): number {
  const { shape, change } = scenario;
  let rate =
    shape.baseRate *
    (1 + shape.amplitude * Math.sin((2 * Math.PI * step) / shape.daySteps + shape.phase));
  const weekend = shape.weekend;
  if (
    weekend &&
    (step - weekend.offsetStep + weekend.periodSteps * 10) % weekend.periodSteps <
      weekend.lengthSteps
  ) {
    rate *= weekend.factor;
  }
  for (const surge of shape.historySurges)
    if (step >= surge.fromStep && step < surge.toStep) rate *= surge.factor;
  if (change.type === 'surge' && step >= scenario.fromStep && step < scenario.toStep)
    rate *= change.factor;
  return rate;
}

/** Spans each service serves per step at the wave's mean. */
function expectedLoad(scenario: Scenario): Record<ServiceName, number> {
  const base = scenario.shape.baseRate;
  const reports = scenario.shape.reportsRate;
  const shop = FRONTEND_MIX[0]!.share;
  return {
    frontend: base,
    catalog: base * shop + reports,
    checkout: base * (1 - shop),
    payments: base * (1 - shop),
    'orders-worker': base * (1 - shop),
    reports,
  };
}
