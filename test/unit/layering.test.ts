import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder map of the README, enforced: a module may import only from the folders its layer
 * allows. A wrong-way import fails here with the file and the line.
 */
const root = path.join(__dirname, '../..');

function sources(folder: string): string[] {
  const dir = path.join(root, folder);
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts')).map((file) => path.join(folder, file));
}

/** Every import of `file` that resolves into one of `folders` (relative imports only). */
function importsInto(file: string, folders: readonly string[]): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'(\.[^']+)'/gm)) {
    const target = path.relative(root, path.resolve(path.dirname(path.join(root, file)), match[2]!));
    if (folders.some((folder) => target === folder || target.startsWith(`${folder}/`))) found.push(`${file}: ${match[0]}`);
  }
  return found;
}

describe('layering', () => {
  test.each([
    ['activities', ['workflows', 'api', 'cli', 'workers']],
    ['db', ['workflows', 'temporal', 'activities', 'api']],
    ['domain', ['workflows', 'activities', 'db', 'api', 'temporal', 'adapters', 'workers', 'cli']],
    ['adapters', ['workflows', 'activities', 'db', 'api']],
    ['workflows', ['db', 'api', 'adapters', 'temporal', 'workers', 'cli']],
  ])('nothing in %s/ imports from %j', (folder, forbidden) => {
    expect(sources(folder).flatMap((file) => importsInto(file, forbidden))).toEqual([]);
  });

  test('the workflow code imports activities as types only, and never the zod schemas', () => {
    const wrong = sources('workflows').flatMap((file) => {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      return [...text.matchAll(/^import\s+(?!type\b)[^'"]*from\s+'([^']+)'/gm)]
        .map((match) => (match[1]!.startsWith('.') ? path.relative(root, path.resolve(path.dirname(path.join(root, file)), match[1]!)) : match[1]!))
        .filter((target) => target === 'activities' || target.startsWith('activities/') || target === 'domain/schemas' || target === 'zod')
        .map((target) => `${file}: ${target}`);
    });
    expect(wrong).toEqual([]);
  });

  test('the API starts workflows by name: it never imports the workflow functions', () => {
    const wrong = sources('api').flatMap((file) => importsInto(file, ['workflows/conversation', 'workflows/tasks']).concat(importsInto(file, ['workflows']).filter((line) => !line.includes('workflows/messages'))));
    expect(wrong).toEqual([]);
  });
});
