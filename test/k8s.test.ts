import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devTool } from '../temporal/binaries';

/**
 * The Kubernetes manifests (deploy/k8s) against the Kubernetes API's own schemas, offline
 * (`kubernetes-validate`, a pinned dev tool `atende tools install` puts in .tools/), strictly:
 * an unknown field is an error, as the API server would make it.
 */
const root = path.resolve(__dirname, '..');
const validator = devTool('kubernetesValidate');
const k8sTest = validator ? test : test.skip;
if (!validator) console.warn('kubernetes-validate is not installed (npx atende tools install); the manifest test is skipped');

const validate = (files: string[]) => spawnSync(validator!, ['--strict', '--kubernetes-version', '1.34.0', ...files], { encoding: 'utf8' });

k8sTest('every manifest is valid for Kubernetes 1.34: deployments with probes, the HPAs on CPU and backlog, the setup job', () => {
  const files = fs.readdirSync(path.join(root, 'deploy/k8s')).filter((file) => file.endsWith('.yaml')).map((file) => path.join(root, 'deploy/k8s', file));
  expect(files.length).toBeGreaterThanOrEqual(4);
  const result = validate(files);
  expect(result.stdout + result.stderr).not.toMatch(/ERROR|failed/i);
  expect(result.status).toBe(0);
  const passed = (result.stdout + result.stderr).match(/passed for resource [a-z]+\/[\w-]+/g) ?? [];
  for (const resource of ['deployment/atende-api', 'deployment/atende-worker', 'horizontalpodautoscaler/atende-worker', 'job/atende-setup', 'service/atende-api', 'configmap/atende']) {
    expect(passed.join('\n')).toContain(resource);
  }
});

k8sTest('the check can fail: a misspelled field is refused', () => {
  const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atende-k8s-')), 'broken.yaml');
  fs.writeFileSync(broken, fs.readFileSync(path.join(root, 'deploy/k8s/api.yaml'), 'utf8').replace('readinessProbe:', 'readynessProbe:'));
  expect(validate([broken]).status).not.toBe(0);
});
