/**
 * The allowed arrows between the parts of src/ (README: "Module boundaries"). `npm run lint`
 * fails on any other.
 *
 *   composition roots (main, worker, app.module, worker.module, schema, bootstrap/, cli/)
 *        │ may import anything, feature modules through their index.ts only
 *        ▼
 *   modules/<name>/ ──► modules/<other>/index.ts      (another module's public surface only)
 *        │
 *        ▼
 *   common/, infra/ ──► config/                        (never a feature module)
 */
const MODULE = '^src/modules/([^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-imports-no-feature',
      comment:
        'common/, infra/ and config/ are shared by every feature; they must not depend on one. ' +
        'Give them what they need through an interface or a parameter instead.',
      severity: 'error',
      from: { path: '^src/(common|infra|config|telemetry)/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'config-imports-nothing-of-the-app',
      comment: 'The configuration is read first and depends on no other part of the app.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/(common|infra|modules|bootstrap)/' },
    },
    {
      name: 'module-internals',
      comment:
        'A module reaches another module only through its public surface, src/modules/<name>/index.ts: ' +
        'that surface is also the seam along which a module could become a service of its own.',
      severity: 'error',
      from: { path: MODULE, pathNot: '\\.entity\\.ts$' },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'entities-name-only-entities',
      comment:
        "An entity may name another module's entity (a foreign key is schema), and nothing else of it.",
      severity: 'error',
      from: { path: MODULE + '.+\\.entity\\.ts$' },
      to: {
        path: '^src/modules/[^/]+/',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/(index|.+\\.entity)\\.ts$'],
      },
    },
    {
      name: 'roots-use-public-surfaces',
      comment:
        'The composition roots wire modules through their index.ts too; only the schema list ' +
        '(src/schema.ts) names entity files, because an entity is schema, not module API.',
      severity: 'error',
      from: { path: '^src/([^/]+\\.ts$|bootstrap/|cli/)', pathNot: '^src/schema\\.ts$' },
      to: { path: '^src/modules/[^/]+/', pathNot: '^src/modules/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-circular-modules',
      comment: 'Feature modules form no cycle: auth may use users, then users must not use auth.',
      severity: 'error',
      from: { path: MODULE },
      to: { circular: true, path: '^src/modules/', pathNot: '^src/modules/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
