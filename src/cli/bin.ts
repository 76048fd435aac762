#!/usr/bin/env node
// The `meshsub` command: dispatches to `meshsub node` (join a real network) and `meshsub demo`
// (the local demo network). Exit codes: 0 done, 1 failure, 2 bad arguments.

// The command's libp2p stack (libp2p, transports, noise, yamux, identify, relay) is an optional
// peer dependency: a dApp installing the library does not get it. Loaded on use, with a clear
// message when it is missing.
const STACK = 'libp2p @libp2p/tcp @libp2p/websockets @libp2p/circuit-relay-v2 @libp2p/identify @chainsafe/libp2p-noise @chainsafe/libp2p-yamux'

class MissingStackError extends Error {}

async function load<T> (importer: () => Promise<T>): Promise<T> {
  try {
    return await importer()
  } catch (err: any) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') { throw err }
    throw new MissingStackError(`the command needs the libp2p stack next to it (optional peer dependencies):\n  npm install ${STACK}\n(${String(err.message)})`)
  }
}

const HELP = `Usage: meshsub <command> [options]

Commands:
  node     join a GossipSub network: stdin lines are published, received messages printed
  demo     run a local network of meshsub nodes with live statistics (same as npm start)

Run 'meshsub <command> --help' for a command's options.
`

async function main (argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv
  switch (cmd) {
    case 'node': return (await load(async () => import('./node-cmd.ts'))).nodeMain(rest)
    case 'demo': return (await load(async () => import('./demo-run.ts'))).demoMain(rest)
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
  const detail = err instanceof Error ? err.stack ?? err.message : String(err)
  process.stderr.write(`meshsub: ${err instanceof MissingStackError ? err.message : detail}\n`)
  process.exit(1)
})
