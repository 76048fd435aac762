import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { ColocationGroups } from '../../src/score/colocation.ts'
import { cidrContains, colocationKey, parseCidr, parseIp } from '../../src/score/ip.ts'
import type { Cidr } from '../../src/score/ip.ts'

const bytes = (s: string): number[] | undefined => {
  const b = parseIp(s)
  return b == null ? undefined : [...b]
}

describe('score/ip', () => {
  it('parses IPv4 and rejects malformed IPv4', () => {
    expect(bytes('192.168.1.20')).to.deep.equal([192, 168, 1, 20])
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', '', 'a.b.c.d']) {
      expect(parseIp(bad), bad).to.equal(undefined)
    }
  })

  it('parses IPv6 forms: compressed, full, embedded IPv4, zone, brackets', () => {
    expect(bytes('::1')).to.deep.equal([...new Array(15).fill(0), 1])
    expect(bytes('2001:db8::ff00:42:8329')).to.deep.equal([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0x42, 0x83, 0x29])
    expect(bytes('2001:0db8:0000:0000:0000:ff00:0042:8329')).to.deep.equal(bytes('2001:db8::ff00:42:8329'))
    expect(bytes('fe80::1%eth0')).to.deep.equal(bytes('fe80::1'))
    expect(bytes('[2001:db8::1]')).to.deep.equal(bytes('2001:db8::1'))
    expect(bytes('64:ff9b::1.2.3.4')?.slice(12)).to.deep.equal([1, 2, 3, 4])
    expect(bytes('::ffff:1.2.3.4')).to.deep.equal([1, 2, 3, 4])
    expect(bytes('::ffff:102:304')).to.deep.equal([1, 2, 3, 4])
    for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', ':::', 'g::1', '::ffff:1.2.3.256', '1:2:3:4:5:6:7::8']) {
      expect(parseIp(bad), bad).to.equal(undefined)
    }
  })

  it('matches CIDR ranges per family and prefix', () => {
    const r = (s: string): Cidr => parseCidr(s) as Cidr
    expect(cidrContains(r('10.0.0.0/8'), parseIp('10.200.3.4') as Uint8Array)).to.equal(true)
    expect(cidrContains(r('10.0.0.0/8'), parseIp('11.0.0.1') as Uint8Array)).to.equal(false)
    expect(cidrContains(r('192.168.4.0/22'), parseIp('192.168.7.255') as Uint8Array)).to.equal(true)
    expect(cidrContains(r('192.168.4.0/22'), parseIp('192.168.8.0') as Uint8Array)).to.equal(false)
    expect(cidrContains(r('0.0.0.0/0'), parseIp('8.8.8.8') as Uint8Array)).to.equal(true)
    expect(cidrContains(r('0.0.0.0/0'), parseIp('::2') as Uint8Array)).to.equal(false)
    expect(cidrContains(r('2001:db8::/33'), parseIp('2001:db8:7fff::1') as Uint8Array)).to.equal(true)
    expect(cidrContains(r('2001:db8::/33'), parseIp('2001:db8:8000::1') as Uint8Array)).to.equal(false)
    expect(cidrContains(r('1.2.3.4'), parseIp('1.2.3.4') as Uint8Array)).to.equal(true)
    expect(cidrContains(r('::ffff:10.0.0.0/104'), parseIp('10.1.2.3') as Uint8Array)).to.equal(true)
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/a', 'x/8', '10.0.0.0/-1']) {
      expect(parseCidr(bad), bad).to.equal(undefined)
    }
  })

  it('groups IPv4 per address and IPv6 per /64; loopback and unspecified have no group', () => {
    const key = (s: string): string | undefined => colocationKey(parseIp(s) as Uint8Array)
    expect(key('1.2.3.4')).to.equal('1.2.3.4')
    expect(key('2001:db8:1:2:3:4:5:6')).to.equal('2001:db8:1:2::/64')
    expect(key('2001:db8:1:2::9')).to.equal(key('2001:db8:1:2:ffff::1'))
    expect(key('2001:db8:1:3::9')).to.not.equal(key('2001:db8:1:2::9'))
    for (const none of ['127.0.0.1', '127.9.9.9', '0.0.0.0', '::1', '::']) { expect(key(none), none).to.equal(undefined) }
  })

  it('colocation groups count peers through joins and leaves, telling every peer whose group size changed', () => {
    // random joins and leaves of 6 peers over 3 groups, against a model of plain sets
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2 })), { maxLength: 60 }), (ops) => {
      const g = new ColocationGroups([])
      const model = new Map<string, Set<string>>()
      for (const [join, p, k] of ops) {
        const peer = `p${p}`
        const key = `g${k}`
        const set = model.get(key) ?? new Set<string>()
        const touched = new Set<string>()
        const changes = join ? !set.has(peer) : set.has(peer)
        const expected = changes ? new Set([...set, peer]) : new Set<string>()
        if (join) { g.join(peer, [key], q => touched.add(q)); set.add(peer) } else { g.leave(peer, [key], q => touched.add(q)); set.delete(peer) }
        if (set.size > 0) { model.set(key, set) } else { model.delete(key) }
        expect(touched).to.deep.equal(expected)
        for (let i = 0; i < 3; i++) { expect(g.sizeOf(`g${i}`)).to.equal(model.get(`g${i}`)?.size ?? 0) }
        expect(g.size).to.equal(model.size)
      }
    }))
  })
})
