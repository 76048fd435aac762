#!/usr/bin/env node
// The `meshsub` command: dispatches to `meshsub node` (join a real network) and `meshsub demo`
// (the local demo network). Exit codes: 0 done, 1 failure, 2 bad arguments.

import { demoMain } from './demo-run.ts'
import { nodeMain } from './node-cmd.ts'

const HELP = `Usage: meshsub <command> [options]

Commands:
  node     join a GossipSub network: stdin lines are published, received messages printed
  demo     run a local network of meshsub nodes with live statistics (same as npm start)

Run 'meshsub <command> --help' for a command's options.
`

async function main (argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  switch (cmd) {
    case 'node': return nodeMain(rest)
    case 'demo': return demoMain(rest)
    case '-h': case '--help': case 'help':
      process.stdout.write(HELP)
      return 0
    case undefined:
      process.stderr.write(`meshsub: a command is needed\n\n${HELP}`)
      return 2
    default:
      process.stderr.write(`meshsub: unknown command "${cmd}"\n\n${HELP}`)
      return 2
  }
}

main(process.argv.slice(2)).then(code => {
  process.exit(code)
}, err => {
  process.stderr.write(`meshsub: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
