import { createConfig, lintFromString } from '@redocly/openapi-core';
import spectralCore, { type RulesetDefinition } from '@stoplight/spectral-core';
import spectralParsers from '@stoplight/spectral-parsers';
import spectralRulesets from '@stoplight/spectral-rulesets';

export interface Finding {
  tool: 'spectral' | 'redocly';
  severity: 'error' | 'warn' | 'info' | 'hint';
  rule: string;
  /** A JSON pointer into the document. */
  where: string;
  message: string;
}

/** Spectral's DiagnosticSeverity, by its numeric value. */
const SPECTRAL_SEVERITY = ['error', 'warn', 'info', 'hint'] as const;

const pointer = (segments: readonly (string | number)[]): string =>
  `#/${segments.map((s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/** The `spectral:oas` ruleset, as `extends: spectral:oas` in a .spectral.yaml. */
async function spectral(source: string): Promise<Finding[]> {
  const linter = new spectralCore.Spectral();
  // The package's declarations widen one rule's severity to string; the ruleset itself is fine.
  const oas = spectralRulesets.oas as RulesetDefinition;
  linter.setRuleset({ extends: [oas] });
  const results = await linter.run(
    new spectralCore.Document(source, spectralParsers.Json, 'docs-json'),
  );
  return results.map((r) => ({
    tool: 'spectral',
    severity: SPECTRAL_SEVERITY[r.severity],
    rule: String(r.code),
    where: pointer(r.path),
    message: r.message,
  }));
}

/** Redocly's `recommended` ruleset, as `extends: [recommended]` in a redocly.yaml. */
async function redocly(source: string): Promise<Finding[]> {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source, absoluteRef: 'docs-json', config });
  return problems.map((p) => ({
    tool: 'redocly',
    severity: p.severity,
    rule: p.ruleId,
    where: p.location[0]?.pointer ?? '#/',
    message: p.message,
  }));
}

/** What Spectral and Redocly find in an OpenAPI document. */
export async function lintOpenApi(document: unknown): Promise<Finding[]> {
  const source = JSON.stringify(document);
  return [...(await spectral(source)), ...(await redocly(source))];
}
