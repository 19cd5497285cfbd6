import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, ROOT } from '../support/render.js';
import { GENERATED_SECRETS_FILE, groupByFile, toYamlDocuments } from '../../lib/render/write.js';
import { OUTPUT_MARKER } from '../../lib/render/output-dir.js';

// The committed dist/ is what `npm run synth` writes for the default values.
// Generated credentials are random and never committed, so they are left out.
describe('dist/ matches a fresh render of the default values', () => {
  const files = groupByFile(render());
  files.delete(GENERATED_SECRETS_FILE);
  const dist = join(ROOT, 'dist');

  test('the same files', () => {
    const committed = readdirSync(dist).filter((f) => f !== GENERATED_SECRETS_FILE && f !== OUTPUT_MARKER);
    expect(committed.sort()).toEqual([...files.keys()].sort());
  });

  test.each([...files.keys()])('%s', (file) => {
    expect(readFileSync(join(dist, file), 'utf8')).toBe(toYamlDocuments(files.get(file)!));
  });
});
