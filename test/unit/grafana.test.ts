import fs from 'node:fs';
import path from 'node:path';
import { metricsRegistry } from '../../lib/metrics';

/** The Grafana dashboard in the repo graphs series that exist: every atende_ metric it names is one the code registers. */
test('every Atende series the dashboard queries is registered by the code', async () => {
  const dashboard = JSON.parse(fs.readFileSync(path.join(__dirname, '../../ops/grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
  expect(dashboard.panels.length).toBeGreaterThan(10);
  // the registry holds what lib/metrics.ts registers; the database gauges are named in the same module
  const registered = (await metricsRegistry.getMetricsAsJSON()).map((metric) => metric.name);
  const source = fs.readFileSync(path.join(__dirname, '../../lib/metrics.ts'), 'utf8');
  const known = (name: string) => registered.some((base) => name === base || name.startsWith(`${base}_`)) || source.includes(`'${name}'`) || name.startsWith('atende_process_') || name.startsWith('atende_nodejs_');
  const used = dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/atende_[a-z_]+/g) ?? []));
  expect(used.length).toBeGreaterThan(10);
  expect(used.filter((name) => !known(name))).toEqual([]);
});
