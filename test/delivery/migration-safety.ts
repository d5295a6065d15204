import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Migrations are expand-then-contract: while a release rolls out (and after a `helm rollback`),
 * the previous release runs on the new schema, so a migration's up() may add but not take away
 * or change what that release reads and writes. A step that does (a contract step, shipped one
 * release after the code stopped using what it removes) says so with a comment
 * `@contract-step: <why the previous release no longer needs it>` (the reason on the same line).
 */
const BREAKING: [RegExp, string][] = [
  [/\bDROP\s+(TABLE|VIEW|MATERIALIZED\s+VIEW|SCHEMA|TYPE|FUNCTION|SEQUENCE)\b/i, 'drops a $1'],
  [/\bDROP\s+COLUMN\b/i, 'drops a column'],
  [/\bRENAME\s+COLUMN\b|\bRENAME\s+"?\w+"?\s+TO\b/i, 'renames a column'],
  [/\bRENAME\s+TO\b/i, 'renames a table'],
  [/\bALTER\s+COLUMN\s+"?\w+"?\s+(SET\s+DATA\s+)?TYPE\b/i, "changes a column's type"],
  [/\bALTER\s+COLUMN\s+"?\w+"?\s+SET\s+NOT\s+NULL\b/i, 'makes a column NOT NULL'],
  [
    /\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?!CONSTRAINT\b|PRIMARY\b|UNIQUE\b|FOREIGN\b|CHECK\b)"?\w+"?\s[^,;`]*?\bNOT\s+NULL\b(?![^,;`]*\bDEFAULT\b)/i,
    'adds a NOT NULL column without a default (the previous release inserts without it)',
  ],
  [
    /\.(dropTable|dropColumns?|renameTable|renameColumn|changeColumns?|dropView|dropSchema)\(/,
    'calls QueryRunner.$1',
  ],
];

export const CONTRACT_MARKER = /@contract-step:?[ \t]+\S/;

export interface Finding {
  file: string;
  problem: string;
}

/** The body of up(), without comments: down() may undo anything, comments are not SQL. */
function upBody(source: string): string {
  const start = source.search(/\basync\s+up\s*\(/);
  if (start < 0) return '';
  const end = source.slice(start).search(/\basync\s+down\s*\(/);
  return source
    .slice(start, end < 0 ? undefined : start + end)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/--[^\n`'"]*$/gm, '');
}

/** What each migration of the folder would break for the release before it. */
export function checkMigrations(dir: string): Finding[] {
  const findings: Finding[] = [];
  const files = readdirSync(dir)
    .filter((name) => /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    if (CONTRACT_MARKER.test(source)) continue;
    const body = upBody(source);
    for (const [pattern, problem] of BREAKING) {
      const match = pattern.exec(body);
      if (match) {
        findings.push({ file, problem: problem.replace('$1', (match[1] ?? '').toLowerCase()) });
      }
    }
  }
  return findings;
}
