import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const JOURNEY = path.join(ROOT, 'test/openapi-client/journey.ts');

export interface CompiledClient {
  /** The compiled journey, to run with node. */
  script: string;
  /** tsc's diagnostics, formatted; empty when the journey compiles. */
  diagnostics: string[];
  /** Casts, non-null assertions and `any` in the journey, as `line: text`. */
  escapes: string[];
  remove: () => Promise<void>;
}

/** As strict as the repository's own compiler options, and then some. */
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  useUnknownInCatchVariables: true,
  verbatimModuleSyntax: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  typeRoots: [path.join(ROOT, 'node_modules/@types')],
  skipLibCheck: true,
};

function escapesIn(file: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isAsExpression(node) ||
      ts.isTypeAssertionExpression(node) ||
      ts.isNonNullExpression(node) ||
      node.kind === ts.SyntaxKind.AnyKeyword
    ) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
      found.push(`${line + 1}: ${node.getText(file)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * Generates the client's types from an OpenAPI document into a temporary directory, puts the
 * journey beside them and compiles it there (the repository's node_modules linked in, for
 * openapi-fetch and Node's types).
 */
export async function compileClient(document: unknown): Promise<CompiledClient> {
  const dir = await mkdtemp(path.join(tmpdir(), 'shop-openapi-client-'));
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const source = path.join(dir, 'src');
    await mkdir(source);
    const schema = astToString(await openapiTS(JSON.stringify(document)));
    await writeFile(path.join(source, 'schema.d.ts'), schema);
    await copyFile(JOURNEY, path.join(source, 'journey.ts'));
    await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    await symlink(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

    const program = ts.createProgram([path.join(source, 'journey.ts')], {
      ...OPTIONS,
      rootDir: source,
      outDir: path.join(dir, 'out'),
    });
    const emitted = program.emit();
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
      ts.formatDiagnostic(d, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => dir,
        getNewLine: () => '\n',
      }),
    );
    const journey = program.getSourceFile(path.join(source, 'journey.ts'));
    return {
      script: path.join(dir, 'out/journey.js'),
      diagnostics,
      escapes: journey ? escapesIn(journey) : ['journey.ts was not compiled'],
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
