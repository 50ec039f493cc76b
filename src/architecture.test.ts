import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Issue 15 §4: the boundaries between domains are kept by the linter (eslint.config.js, BOUNDARIES),
// and no two folders under src/ import each other, directly or round a loop, with values or types.

const SRC = path.resolve('src');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|import\('([^']+)'\)/g;

/** Production .ts files under src/ (tests and test support may reach across, as tests do). */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') && !/\.(test|fixtures)\.ts$/.test(entry.name) ? [full] : [];
  });
}

/** The unit of the graph: a folder directly under src/, or a file at src/'s top level. */
function unitOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length === 0 ? first!.replace(/\.ts$/, '') : first!;
}

/** unit → the units it imports from (relative imports only; packages are outside the graph). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (!specifier.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts');
      if (!target.startsWith(SRC + path.sep)) continue;
      const to = unitOf(target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** One cycle in the graph as a path (a → b → … → a), or undefined if it has none. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...trail.slice(trail.indexOf(node)), node];
    state.set(node, 'open');
    trail.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    trail.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('folders under src/', () => {
  it('import each other without a cycle, values and types alike', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(8);
    expect(findCycle(graph)).toBeUndefined();
  });

  it('the cycle finder sees a loop when there is one', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('npm run check keeps the boundaries', () => {
  it('fails on a telemetry file that imports the alarm engine', { timeout: 120_000 }, async () => {
    // A real file under src/telemetry, linted with the project's own config, then removed.
    const probe = path.join(SRC, 'telemetry', `boundary-probe-${process.pid}.ts`);
    fs.writeFileSync(
      probe,
      "import type { AlarmEngine } from '../alarms/alarm-engine.js';\n\nexport type Probe = AlarmEngine;\n",
    );
    try {
      const [result] = await new ESLint().lintFiles([probe]);
      const refusals = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports');
      expect(refusals).toHaveLength(1);
      expect(refusals[0]!.message).toContain('telemetry/ may not import alarms/');
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });
});
