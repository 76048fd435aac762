import { readFile } from 'node:fs/promises'
import { expect } from 'aegir/chai'
import { resolveOptions } from '../../src/adapter/options.ts'
import { defaultDecodeLimits } from '../../src/codec/limits.ts'
import { defaultRouterOptions, validateRouterConfig } from '../../src/config.ts'
import { defaultPeerScoreParams } from '../../src/score/params.ts'

/** One row of an options table: | `name` | `default` … | source | meaning | */
interface Row { doc: string, name: string, dflt: string | undefined, source: string }

const root = new URL('../../', import.meta.url)

/** Rows of every 4-column options table in `file` whose first cell is a single backticked name. */
async function rows (file: string): Promise<Row[]> {
  const text = await readFile(new URL(file, root), 'utf8')
  const out: Row[] = []
  for (const line of text.split('\n')) {
    const cells = line.split('|').slice(1, -1).map(c => c.trim())
    if (cells.length !== 4 || !/^`[\w.]+`$/.test(cells[0])) { continue }
    const lit = /^`([^`]*)`/.exec(cells[1])
    out.push({ doc: file, name: cells[0].slice(1, -1), dflt: lit?.[1], source: cells[2] })
  }
  return out
}

/** The default the code actually uses for a documented option name. */
function actual (name: string): unknown {
  const config = validateRouterConfig({}) as unknown as Record<string, unknown>
  const { adapter } = resolveOptions({})
  if (name in defaultRouterOptions) { return config[name] }
  const [head, sub] = name.split('.')
  if (head === 'scoreThresholds') { return (config.scoreThresholds as Record<string, unknown>)[sub] }
  if (head === 'scoreParams') { return (defaultPeerScoreParams as unknown as Record<string, unknown>)[sub] }
  if (head === 'decodeRpcLimits') {
    const map: Record<string, keyof typeof defaultDecodeLimits> = {
      maxSubscriptions: 'maxSubscriptions',
      maxMessages: 'maxMessages',
      maxControlMessages: 'maxControlEntries',
      maxIhaveMessageIDs: 'maxIHaveIds',
      maxIwantMessageIDs: 'maxIWantIds',
      maxIdontwantMessageIDs: 'maxIDontWantIds',
      maxPeerInfos: 'maxPeersPerPrune'
    }
    // the adapter passes only the limits the user sets; the codec fills the rest from its defaults
    expect(adapter.decodeLimits, 'no decode limit overridden by default').to.deep.equal({})
    return defaultDecodeLimits[map[sub]]
  }
  return ADAPTER[name]?.(adapter)
}

const ADAPTER: Record<string, (a: ReturnType<typeof resolveOptions>['adapter']) => unknown> = {
  globalSignaturePolicy: a => a.globalSignaturePolicy,
  asyncValidation: a => a.asyncValidation,
  messageProcessingConcurrency: a => a.validationConcurrency,
  validationTimeout: a => a.validationTimeout,
  allowPublishToZeroTopicPeers: a => a.allowPublishToZeroTopicPeers,
  ignoreDuplicatePublishError: a => a.ignoreDuplicatePublishError,
  fallbackToFloodsub: a => a.protocols.includes('/floodsub/1.0.0'),
  directPeers: a => a.directPeers,
  maxTransmitSize: a => a.maxTransmitSize,
  maxOutboundQueueLength: a => a.sendQueue.maxCount,
  maxOutboundBufferSize: a => a.sendQueue.maxBytes,
  publishQueueTtl: a => a.sendQueue.publishTtl,
  forwardQueueTtl: a => a.sendQueue.forwardTtl,
  gossipQueueTtl: a => a.sendQueue.gossipTtl,
  slowPeerPenalty: a => a.slowPeerPenalty,
  tagMeshPeers: a => a.tagMeshPeers,
  runOnLimitedConnection: a => a.runOnLimitedConnection
}

/** The parenthesised source of each router option's default, from its doc comment in src/config.ts. */
async function configSources (): Promise<Map<string, string>> {
  const text = await readFile(new URL('src/config.ts', root), 'utf8')
  const out = new Map<string, string>()
  for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+)\??:/g)) {
    const comment = m[1].replace(/\s*\n\s*\*\s?/g, ' ')
    const src = /default [^;(]*\(([^)]*)\)/.exec(comment)
    if (src !== null && !out.has(m[2])) { out.set(m[2], src[1]) }
  }
  return out
}

/** How a source word of the docs may be spelled in the code's comments. */
const SOURCE_SPELLINGS: Record<string, string[]> = {
  spec: ['spec'],
  go: ['go'],
  rust: ['rust'],
  js: ['js', '@libp2p/gossipsub'],
  ours: ['ours', 'docs/protocol.md §']
}

describe('docs: the options tables match the code', () => {
  for (const file of ['docs/options.md', 'README.md']) {
    it(`${file}: every documented default equals the validated default config`, async () => {
      const all = await rows(file)
      if (file === 'docs/options.md') { expect(all.length).to.be.above(70) }
      for (const row of all) {
        if (row.dflt === undefined) { continue }
        const want = actual(row.name)
        expect(want, `${file}: ${row.name} is documented with a default but the code has none`).to.not.equal(undefined)
        expect(JSON.parse(row.dflt), `${file}: default of ${row.name}`).to.deep.equal(want)
      }
    })
  }

  it('docs/options.md has a row for every router option and every adapter default', async () => {
    const names = new Set((await rows('docs/options.md')).map(r => r.name))
    // floodsub is set through fallbackToFloodsub / protocols, not by users
    const wanted = [...Object.keys(defaultRouterOptions).filter(k => k !== 'floodsub'), ...Object.keys(ADAPTER),
      ...Object.keys(validateRouterConfig({}).scoreThresholds).map(k => `scoreThresholds.${k}`)]
    expect(wanted.filter(k => !names.has(k)), 'options without a row').to.deep.equal([])
  })

  it('the source of each router default agrees with src/config.ts', async () => {
    const sources = await configSources()
    expect(sources.size).to.be.above(35)
    for (const row of await rows('docs/options.md')) {
      const code = sources.get(row.name)
      if (code === undefined || !(row.name in defaultRouterOptions)) { continue }
      const spellings = SOURCE_SPELLINGS[row.source]
      expect(spellings, `${row.name}: unknown source "${row.source}"`).to.not.equal(undefined)
      expect(spellings.some(s => code.includes(s)), `${row.name}: docs say ${row.source}, src/config.ts says (${code})`).to.equal(true)
    }
  })
})
