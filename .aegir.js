/** @type {import('aegir').PartialOptions} */
export default {
  build: {
    bundle: false
  },
  test: {
    target: ['node'],
    // aegir replaces NODE_OPTIONS for mocha: keep its type stripping and add the condition that
    // points `#platform` at src/ (package.json `imports`; .npmrc sets it for npm scripts)
    before: async () => ({
      env: { NODE_OPTIONS: '--experimental-strip-types --experimental-transform-types --conditions=meshsub-source' }
    })
  },
  dependencyCheck: {
    // node: the pinned Node 24 runtime; typescript: used by aegir's build and eslint;
    // long: a type-only import of the generated protobufjs oracle (generated/rpc.d.ts);
    // mocha: its browser build is served by path to the browser tests (test/browser/unit/suite.ts);
    // meshsub: the Quickstart example imports the package by its own name, as users do
    ignore: ['node', 'typescript', 'long', 'mocha', 'meshsub'],
    productionIgnorePatterns: ['/benchmarks', '/dist', '/test', '/scripts', '/interop', '/generated', '/examples', '.aegir.js']
  },
  lint: {
    files: ['src/**/*.ts', 'test/**/*.ts', 'benchmarks/**/*.ts', 'scripts/**/*.ts', 'examples/**/*.ts']
  }
}
