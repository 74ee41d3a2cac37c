import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `import`/`export … from` statements; group 1 is `type ` for a type-only one. */
const IMPORT = /^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm;

/**
 * Imports of every TypeScript source file (tests left out), keyed by path from the root:
 * runtime ones only (type-only imports load nothing) unless `withTypes`. A relative import
 * is given as the path it resolves to, a package by its name.
 */
export function runtimeImports(withTypes = false): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (folder: string): void => {
    for (const name of readdirSync(join(ROOT, folder))) {
      if (['node_modules', 'data', 'ui'].includes(name) || name.startsWith('.')) continue;
      const path = folder === '' ? name : `${folder}/${name}`;
      if (statSync(join(ROOT, path)).isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.d.ts') && !path.endsWith('.test.ts')) {
        const imports: string[] = [];
        for (const match of readFileSync(join(ROOT, path), 'utf8').matchAll(IMPORT)) {
          const specifier = match[2]!;
          if (match[1] !== undefined && !withTypes) continue;
          imports.push(
            specifier.startsWith('.')
              ? relative(ROOT, resolve(ROOT, dirname(path), specifier))
              : specifier,
          );
        }
        graph.set(path, imports);
      }
    }
  };
  walk('');
  return graph;
}

/** Everything `from` loads, each with the module that imports it (a path back to `from`). */
export function reachable(graph: Map<string, string[]>, from: string): Map<string, string> {
  const parents = new Map<string, string>([[from, '']]);
  const queue = [from];
  for (let module = queue.shift(); module !== undefined; module = queue.shift()) {
    for (const next of graph.get(module) ?? []) {
      if (parents.has(next)) continue;
      parents.set(next, module);
      queue.push(next);
    }
  }
  return parents;
}

/** Groups of two or more modules that import each other, directly or through others. */
export function importCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components, iterative over the modules of the graph.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (module: string): void => {
    index.set(module, counter);
    low.set(module, counter++);
    stack.push(module);
    onStack.add(module);
    for (const next of graph.get(module) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(module, Math.min(low.get(module)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(module, Math.min(low.get(module)!, index.get(next)!));
      }
    }
    if (low.get(module) !== index.get(module)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== module);
    if (group.length > 1) cycles.push(group.sort());
  };
  for (const module of graph.keys()) if (!index.has(module)) visit(module);
  return cycles;
}

/** `a -> b -> … -> to`, following `parents` back from `to`. */
export function chainTo(parents: Map<string, string>, to: string): string {
  const chain = [to];
  for (let at = parents.get(to); at; at = parents.get(at)) chain.unshift(at);
  return chain.join(' -> ');
}
