/** @type {import('aegir').PartialOptions} */
export default {
  build: {
    bundle: false
  },
  test: {
    target: ['node']
  },
  dependencyCheck: {
    // node: the pinned Node 24 runtime; typescript: used by aegir's build and eslint;
    // long: a type-only import of the generated protobufjs oracle (generated/rpc.d.ts)
    ignore: ['node', 'typescript', 'long'],
    productionIgnorePatterns: ['/benchmarks', '/dist', '/test', '/scripts', '/interop', '/generated', '/examples', '.aegir.js']
  },
  lint: {
    files: ['src/**/*.ts', 'test/**/*.ts', 'benchmarks/**/*.ts', 'scripts/**/*.ts', 'examples/**/*.ts']
  }
}
