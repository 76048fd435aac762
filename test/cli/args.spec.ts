import { expect } from 'aegir/chai'
import { UsageError } from '../../src/cli/args.ts'
import { parseDemoArgs } from '../../src/cli/demo-run.ts'
import { parseNodeArgs } from '../../src/cli/node-cmd.ts'
import { BIN, DEMO, runToEnd } from './proc.ts'

describe('cli: arguments', () => {
  it('demo: defaults, and every option parsed', () => {
    expect(parseDemoArgs([])).to.deep.equal({ nodes: 20, rate: 20, size: 1024, duration: 15, sign: 'StrictSign', seed: 1, report: undefined })
    expect(parseDemoArgs(['--nodes', '5', '--rate', '2.5', '--size', '100', '--duration', '3', '--sign', 'StrictNoSign', '--seed', '7', '--report', 'r.html']))
      .to.deep.equal({ nodes: 5, rate: 2.5, size: 100, duration: 3, sign: 'StrictNoSign', seed: 7, report: 'r.html' })
    expect(parseDemoArgs(['--help'])).to.equal(undefined)
  })

  const badDemo: Array<[string[], RegExp]> = [
    [['--nodes', '1'], /--nodes=1 must be between 2 and 200/],
    [['--nodes', 'ten'], /--nodes must be an integer, got "ten"/],
    [['--rate', '0'], /--rate=0 must be between/],
    [['--size', '4'], /--size=4 must be between 16/],
    [['--sign', 'Maybe'], /--sign must be one of StrictSign, StrictNoSign/],
    [['--report', 'out.txt'], /--report must name an .html file/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['--nodes'], /--nodes.*argument missing/]
  ]
  for (const [argv, msg] of badDemo) {
    it(`demo: ${argv.join(' ')} is a usage error`, () => {
      expect(() => parseDemoArgs(argv)).to.throw(UsageError, msg)
    })
  }

  it('node: topic required, multiaddrs checked, lists split on commas', () => {
    expect(() => parseNodeArgs([])).to.throw(UsageError, /--topic is required/)
    expect(() => parseNodeArgs(['--topic', 't', '--bootstrap', 'not-an-addr'])).to.throw(UsageError, /--bootstrap "not-an-addr" is not a valid multiaddr/)
    expect(() => parseNodeArgs(['--topic', 't', '--listen', '/ip4/1.2.3'])).to.throw(UsageError, /--listen/)
    expect(() => parseNodeArgs(['--topic', 't', '--metrics-port', '70000'])).to.throw(UsageError, /--metrics-port=70000 must be between 0 and 65535/)
    const o = parseNodeArgs(['--topic', 'a,b', '--bootstrap', '/ip4/127.0.0.1/tcp/1', '--bootstrap', '/ip4/127.0.0.1/tcp/2', '--json'])
    expect(o?.topics).to.deep.equal(['a', 'b'])
    expect(o?.bootstrap.map(String)).to.deep.equal(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
    expect(o?.listen).to.deep.equal(['/ip4/0.0.0.0/tcp/0'])
    expect(o?.json).to.equal(true)
  })

  it('processes: bad arguments exit 2 with a message; --help exits 0', async function () {
    // six Node processes start at once: on a loaded 2-core CI machine that alone took ~18 s
    this.timeout(180_000)
    const [noCmd, badCmd, badNode, badDemo, help, nodeHelp] = await Promise.all([
      runToEnd(BIN, []),
      runToEnd(BIN, ['fly']),
      runToEnd(BIN, ['node', '--topic', 't', '--metrics-port', 'x']),
      runToEnd(DEMO, ['--nodes', '0']),
      runToEnd(BIN, ['--help']),
      runToEnd(BIN, ['node', '--help'])
    ])
    for (const r of [noCmd, badCmd, badNode, badDemo, help, nodeHelp]) { expect(r.killed, r.stderr).to.equal(undefined) }
    expect(noCmd.code).to.equal(2)
    expect(noCmd.stderr).to.match(/a command is needed/)
    expect(badCmd.code).to.equal(2)
    expect(badCmd.stderr).to.match(/unknown command "fly"/)
    expect(badNode.code).to.equal(2)
    expect(badNode.stderr).to.match(/--metrics-port must be an integer, got "x"/)
    expect(badDemo.code).to.equal(2)
    expect(badDemo.stderr).to.match(/--nodes=0 must be between 2 and 200/)
    expect(help.code).to.equal(0)
    expect(help.stdout).to.match(/Usage: meshsub <command>/)
    expect(nodeHelp.code).to.equal(0)
    expect(nodeHelp.stdout).to.match(/--metrics-port PORT/)
  })
})
