/**
 * The operator's build, as a digest of the module it runs from: in the image and the tests that is the bundle,
 * which holds the constructs, so any change to what the operator would render gives another digest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function codeVersion(moduleUrl: string): string {
  return createHash('sha256').update(readFileSync(fileURLToPath(moduleUrl))).digest().toString('hex', 0, 8);
}
