import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The demo's three instrumented services (frontend → checkout → payments), each a child
 * process of demo/service.js under `@opsless/instrument`, sending its telemetry to opsless.
 */

const SERVICE_JS = fileURLToPath(new URL('../demo/service.js', import.meta.url));
// By file URL, not the package name: `npx opsless demo` runs from a folder whose own
// node_modules need not hold opsless, and `--import` resolves names from the working folder.
const INSTRUMENT_URL = new URL('../packages/instrument/index.js', import.meta.url).href;

/** In the order they start: each one's downstream first. */
/**
 * The port a child process prints as `listening N` on its output (the demo's services and
 * test fixtures do); rejects with `exited(code)` when it exits before.
 */
export function listeningPort(
  child: ChildProcess,
  exited: (code: number | null) => Error,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let out = '';
    const onExit = (code: number | null) => reject(exited(code));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (!match) return;
      child.off('exit', onExit);
      resolve(Number(match[1]));
    });
    child.once('exit', onExit);
  });
}

export const DEMO_SERVICES = ['payments', 'checkout', 'frontend'] as const;
export type DemoService = (typeof DEMO_SERVICES)[number];
export const STABLE_VERSION = '1.4.0';
export const BAD_VERSION = '1.5.0';

export interface DemoServicesOptions {
  /** opsless's OTLP/HTTP endpoint. */
  otlp: string;
  /** The detector step, ms: metrics are exported at least this often. */
  stepMs: number;
  ingestKey?: string | undefined;
}

interface Child {
  process: ChildProcess;
  url: string;
}

/** Starts, restarts, steers and stops the demo's services. */
export function createDemoServices(options: DemoServicesOptions) {
  const children = new Map<DemoService, Child>();
  let checkoutVersion = STABLE_VERSION;

  /** Starts a service; those `among` a throwaway set (latency samples) send no telemetry. */
  const spawnService = async (
    service: DemoService,
    version: string,
    extraLatencyMs: number,
    among: Map<DemoService, Child> = children,
  ): Promise<Child> => {
    const downstream =
      service === 'frontend'
        ? among.get('checkout')!.url
        : service === 'checkout'
          ? among.get('payments')!.url
          : '';
    const quiet = among !== children;
    const child = spawn(process.execPath, ['--import', INSTRUMENT_URL, SERVICE_JS], {
      env: {
        ...process.env,
        DEMO_SERVICE: service,
        DEMO_DOWNSTREAM: downstream,
        DEMO_LATENCY_MS: service === 'frontend' ? '15' : service === 'checkout' ? '40' : '60',
        DEMO_EXTRA_LATENCY_MS: String(extraLatencyMs),
        OTEL_SERVICE_NAME: service,
        ...(quiet ? { OTEL_SDK_DISABLED: 'true' } : {}),
        OTEL_RESOURCE_ATTRIBUTES: `service.version=${version},deployment.environment.name=demo`,
        OTEL_METRIC_EXPORT_INTERVAL: String(Math.min(options.stepMs, 60_000)),
        OPSLESS_ENDPOINT: options.otlp,
        ...(options.ingestKey ? { OPSLESS_INGEST_KEY: options.ingestKey } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await listeningPort(child, (code) => new Error(`${service} exited (${code})`));
    return { process: child, url: `http://127.0.0.1:${port}` };
  };

  /** The frontend keeps its port; it is told where checkout is now. */
  const restartFrontendDownstream = async () => {
    const old = children.get('frontend');
    if (!old) return;
    children.set('frontend', await spawnService('frontend', STABLE_VERSION, 0));
    old.process.kill('SIGTERM');
  };

  return {
    /** Starts the three, stable, each after its downstream. */
    async start(): Promise<void> {
      for (const service of DEMO_SERVICES) {
        children.set(service, await spawnService(service, STABLE_VERSION, 0));
      }
    },
    url: (service: DemoService): string => children.get(service)!.url,
    checkoutVersion: (): string => checkoutVersion,
    /** Deploys another checkout version, `extraLatencyMs` slower per request. */
    async restartCheckout(version: string, extraLatencyMs: number): Promise<void> {
      const old = children.get('checkout');
      const fresh = await spawnService('checkout', version, extraLatencyMs);
      children.set('checkout', fresh);
      await restartFrontendDownstream();
      old?.process.kill('SIGTERM');
      checkoutVersion = version;
    },
    /**
     * How long each service answers, measured from outside on a quiet copy of the three: the
     * history is drawn from these.
     */
    async sampleLatencies(): Promise<Record<DemoService, number[]>> {
      const samplers = new Map<DemoService, Child>();
      for (const service of DEMO_SERVICES) {
        samplers.set(service, await spawnService(service, STABLE_VERSION, 0, samplers));
      }
      const latencies = {
        payments: await sampleLatencies(`${samplers.get('payments')!.url}/pay`, 'POST'),
        checkout: await sampleLatencies(`${samplers.get('checkout')!.url}/checkout`, 'POST'),
        frontend: await sampleLatencies(`${samplers.get('frontend')!.url}/shop/1`, 'GET'),
      };
      for (const sampler of samplers.values()) sampler.process.kill('SIGTERM');
      return latencies;
    },
    /** Sets a service's fault (e.g. `{ errorShare: 0.4 }`); never rejects. */
    steer: (service: DemoService, incident: Record<string, number>) =>
      fetch(`${children.get(service)!.url}/__demo`, {
        method: 'POST',
        body: JSON.stringify(incident),
      }).catch(() => undefined),
    stop(): void {
      for (const child of children.values()) child.process.kill('SIGTERM');
    },
  };
}

export type DemoServices = ReturnType<typeof createDemoServices>;

/** How long a service answers, `count` requests from six workers. */
async function sampleLatencies(url: string, method: string, count = 150): Promise<number[]> {
  const samples: number[] = [];
  const worker = async () => {
    while (samples.length < count) {
      const started = performance.now();
      await fetch(url, { method }).then((response) => response.arrayBuffer());
      samples.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return samples;
}
