/** @type {import('aegir').PartialOptions} */
export default {
  build: {
    bundle: false
  },
  test: {
    target: ['node']
  },
  dependencyCheck: {
    ignore: ['node']
  },
  lint: {
    files: ['src/**/*.ts', 'test/**/*.ts', 'benchmarks/**/*.ts', 'scripts/**/*.ts', '!src/codec/pb/**']
  }
}
