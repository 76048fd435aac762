// `npm start`: the live local demo network (see demo-run.ts). Exits explicitly once done so no
// leftover socket or timer of a stopped node can keep the process alive.

import { demoMain } from './demo-run.ts'

demoMain(process.argv.slice(2)).then(code => {
  process.exit(code)
}, err => {
  process.stderr.write(`meshsub demo failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
