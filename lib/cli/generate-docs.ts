/** Refreshes the generated sections of README.md (the values reference, the pinned images). */
import { readFileSync, writeFileSync } from 'node:fs';
import { imagesMarkdownTable, replaceSection, valuesMarkdownTable } from '../render/values-doc.js';

const file = process.argv[2] ?? 'README.md';
const withValues = replaceSection(readFileSync(file, 'utf8'), 'values', valuesMarkdownTable());
writeFileSync(file, replaceSection(withValues, 'images', imagesMarkdownTable()));
