import { describe, expect, it } from 'vitest';
import { chainTo, importCycles, reachable, runtimeImports } from './support/import-graph.ts';

/** Packages that talk to a database, the network or serve HTTP: only live faces load them. */
const LIVE_PACKAGES = [
  '@clickhouse/client',
  'chdb/connection',
  'hono',
  '@hono/node-server',
  '@grpc/grpc-js',
  'node:http',
  'prom-client',
];

/** TensorFlow.js's packages: half a second to load, wanted only by the neural forecaster. */
const TENSORFLOW = '@tensorflow/';

/** Components whose index.ts is their pure face (api/ and cli/ are the edges that wire). */
const COMPONENTS = [
  'alerts',
  'collector',
  'detector',
  'hooks',
  'logs',
  'rca',
  'remediation',
  'scaling',
  'signals',
  'storage',
];

describe('the code layout', () => {
  const graph = runtimeImports();

  it.each(COMPONENTS)('%s/index.ts loads no database client, network or HTTP server', (name) => {
    const parents = reachable(graph, `${name}/index.ts`);
    const live = LIVE_PACKAGES.filter((pkg) => parents.has(pkg)).map((pkg) =>
      chainTo(parents, pkg),
    );
    expect(live).toEqual([]);
  });

  it.each(COMPONENTS)(
    '%s/index.ts loads no TensorFlow.js (only loadNeuralForecaster does, on demand)',
    (name) => {
      const parents = reachable(graph, `${name}/index.ts`);
      const tensorflow = [...parents.keys()].filter((module) => module.startsWith(TENSORFLOW));
      expect(tensorflow.map((module) => chainTo(parents, module))).toEqual([]);
    },
  );

  it('a pure module such as the scaler loads no live face and no TensorFlow.js', () => {
    const parents = reachable(graph, 'scaling/scaler.ts');
    const faces = [...parents.keys()].filter(
      (module) => module.endsWith('/live/index.ts') || module.startsWith(TENSORFLOW),
    );
    expect(faces.map((face) => chainTo(parents, face))).toEqual([]);
  });

  it('no module imports itself through others (an import cycle), type-only imports included', () => {
    // A type-only cycle loads nothing, but it ties the modules' meanings together: what
    // they all need belongs to a module they import.
    expect(importCycles(runtimeImports(true))).toEqual([]);
  });
});
