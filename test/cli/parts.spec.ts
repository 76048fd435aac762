import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { expect } from 'aegir/chai'
import { UsageError } from '../../src/cli/args.ts'
import { loadOrCreateKey } from '../../src/cli/identity.ts'
import { formatMessage } from '../../src/cli/node-cmd.ts'
import { Progress } from '../../src/cli/progress.ts'
import { PrometheusRegistry } from '../../src/cli/prometheus.ts'
import { latencyCdf, meshHistogram } from '../../src/cli/report.ts'
import { stamp, unstamp } from '../../src/cli/stamp.ts'
import { quantile, Recorder } from '../../src/cli/stats.ts'

describe('cli: parts', () => {
  it('stamp round-trips and plain text is not mistaken for a stamp', () => {
    const body = new TextEncoder().encode('hi')
    const s = unstamp(stamp(body, 1234.5))
    expect(s?.sentAt).to.equal(1234.5)
    expect(s?.body).to.deep.equal(body)
    expect(unstamp(new TextEncoder().encode('a plain line of text'))).to.equal(undefined)
    expect(unstamp(new Uint8Array(3))).to.equal(undefined)
  })

  it('quantiles by nearest rank; the recorder counts deliveries against (nodes - 1) per message', () => {
    expect(quantile([], 0.5)).to.equal(0)
    expect(quantile([1, 2, 3, 4], 0.5)).to.equal(2)
    expect(quantile([1, 2, 3, 4], 0.99)).to.equal(4)
    const rec = new Recorder(3)
    const a = rec.publish(0)
    const b = rec.publish(0)
    rec.deliver(a, 5)
    rec.deliver(a, 7)
    rec.deliver(b, 9)
    rec.deliver(99, 1) // unknown: ignored
    expect(rec.allDelivered()).to.equal(false)
    const s = rec.summary(2, [2, 2, 1])
    expect(s).to.include({ published: 2, expected: 4, deliveries: 3, delivered: 0.75, complete: 1, rate: 1 })
    expect(s.latency).to.deep.equal({ p50: 7, p90: 9, p99: 9, max: 9 })
  })

  it('prometheus text: gauges, labelled counters, calculated groups, histograms', async () => {
    const reg = new PrometheusRegistry()
    const m = reg.metrics
    m.registerMetric('up', { help: 'is up' }).update(1)
    m.registerCounterGroup('msgs_total', { label: 'topic', help: 'messages' }).increment({ 'a"b': true, c: 3 })
    m.registerMetricGroup('mesh', { label: 'topic', calculate: () => ({ t: 4 }) })
    m.registerHistogram('lat', { buckets: [1, 10] }).observe(5)
    const text = await reg.render()
    expect(text).to.include('# HELP up is up\n# TYPE up gauge\nup 1\n')
    expect(text).to.include('# TYPE msgs_total counter\nmsgs_total{topic="a\\"b"} 1\nmsgs_total{topic="c"} 3\n')
    expect(text).to.include('mesh{topic="t"} 4\n')
    expect(text).to.include('lat_bucket{le="1"} 0\nlat_bucket{le="10"} 1\nlat_bucket{le="+Inf"} 1\nlat_sum 5\nlat_count 1\n')
  })

  it('--key: creates a key file, then loads the same identity; rejects a file that is not a key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshsub-key-'))
    try {
      const file = join(dir, 'id.key')
      const first = await loadOrCreateKey(file)
      const second = await loadOrCreateKey(file)
      expect(first.created).to.equal(true)
      expect(second.created).to.equal(false)
      expect(peerIdFromPrivateKey(second.key).toString()).to.equal(peerIdFromPrivateKey(first.key).toString())
      await writeFile(join(dir, 'bad.key'), 'nonsense')
      await expect(loadOrCreateKey(join(dir, 'bad.key'))).to.be.rejectedWith(UsageError, /not a protobuf-encoded libp2p private key/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('received messages print as text or JSON lines, with latency only when stamped', async () => {
    const key = await generateKeyPair('Ed25519')
    const from = peerIdFromPrivateKey(key)
    const msg = { type: 'signed' as const, from, topic: 't', data: stamp(new TextEncoder().encode('yo'), 1000), sequenceNumber: 7n, signature: new Uint8Array(0), key: key.publicKey }
    const ev = { msg, msgId: 'abc', propagationSource: from }
    expect(JSON.parse(formatMessage(ev, true, 1012.5))).to.deep.equal({ topic: 't', from: from.toString(), via: from.toString(), msgId: 'abc', seqno: '7', data: 'yo', latencyMs: 12.5 })
    expect(formatMessage(ev, false, 1012.5)).to.equal(`[t] ${from.toString().slice(-8)}: yo (12.5 ms)`)
    const plain = { ...ev, msg: { type: 'unsigned' as const, topic: 't', data: new TextEncoder().encode('plain') } }
    expect(JSON.parse(formatMessage(plain, true))).to.deep.equal({ topic: 't', from: null, via: from.toString(), msgId: 'abc', seqno: null, data: 'plain' })
    const binary = { ...ev, msg: { type: 'unsigned' as const, topic: 't', data: Uint8Array.from([0xff, 0xfe, 0x01]) } }
    expect(JSON.parse(formatMessage(binary, true))).to.include({ data: null, dataBase64: '//4B' })
    expect(formatMessage(binary, false)).to.match(/: <3 bytes, not UTF-8>$/)
  })

  it('progress: a block rewritten in place on a TTY, plain lines every 2 s otherwise', () => {
    const rec = new Recorder(3)
    rec.deliver(rec.publish(0), 4)
    const sink = (isTTY: boolean): { out: string, stream: NodeJS.WriteStream } => {
      const o = { out: '', stream: { isTTY, columns: 80, write: (s: string) => { o.out += s; return true } } as unknown as NodeJS.WriteStream }
      return o
    }
    const tty = sink(true)
    const plain = sink(false)
    for (const t of [0.5, 1, 2.5]) {
      const s = rec.sample(t, [2, 2, 2])
      new Progress(tty.stream).update(s)
      new Progress(plain.stream).update(s)
    }
    const p = new Progress(tty.stream)
    p.update(rec.sample(3, [2, 2, 2]))
    p.update(rec.sample(3.5, [2, 2, 2]))
    expect(tty.out).to.include('\x1b[1A\r\x1b[2K[  3.5 s] published 1')
    // eslint-disable-next-line no-control-regex -- terminal escapes are what is measured around
    expect(tty.out.split(/[\n\r]/).every(l => l.replace(/\x1b\[\d*[A-Z]/g, '').length < 80)).to.equal(true)
    // plain: only samples at least 2 s after the previous printed one, one line each
    expect(plain.out.split('\n').filter(l => l !== '')).to.have.length(1)
    expect(plain.out).to.match(/^\[ {2}2\.5 s\] published\s+1 · delivered\s+50\.0% · latency p50 4\.00 ms/)
  })

  it('report plots are SVG', () => {
    expect(latencyCdf([1, 2, 3])).to.match(/<svg[^>]*>.*<polyline/s)
    expect(meshHistogram([3, 3, 5])).to.match(/<rect[^>]*><title>3 peers: 2 nodes<\/title>/)
    expect(latencyCdf([])).to.equal('<p>No deliveries.</p>')
  })
})
