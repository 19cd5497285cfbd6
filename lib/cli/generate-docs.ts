/** Refreshes the generated sections of README.md (the values reference). */
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceSection, valuesMarkdownTable } from '../render/values-doc.js';

const file = process.argv[2] ?? 'README.md';
writeFileSync(file, replaceSection(readFileSync(file, 'utf8'), 'values', valuesMarkdownTable()));
