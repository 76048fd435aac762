import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect } from 'aegir/chai'
import { compareSurface } from './surface.ts'

const ROOT = resolve(import.meta.dirname, '../..')

/** The keys listed under "Not in meshsub's types" in the README's Switching section. */
function listedExceptions (): Set<string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const switching = readme.slice(readme.indexOf('## Switching from `@libp2p/gossipsub`'))
  const start = switching.indexOf("### Not in meshsub's types")
  expect(start, 'README has the list of differences').to.be.greaterThan(0)
  const section = switching.slice(start, switching.indexOf('\n### ', start + 4))
  const keys = new Set<string>()
  for (const bullet of section.split('\n- ').slice(1)) {
    const head = bullet.split(' — ')[0]
    for (const m of head.matchAll(/`([^`]+)`/g)) { keys.add(m[1]) }
  }
  return keys
}

describe('compatibility with @libp2p/gossipsub 17\'s published types', function () {
  this.timeout(120_000)

  it('every export, GossipSub member, option and event exists with an assignable type, or is listed in the README', () => {
    const { gaps, counts } = compareSurface()
    // the comparison covered the whole surface (the reference's counts as of 17.x)
    expect(counts.exports).to.be.at.least(77)
    expect(counts.members).to.be.at.least(30)
    expect(counts.options).to.be.at.least(50)
    expect(counts.events).to.be.at.least(6)
    const listed = listedExceptions()
    const unlisted = [...gaps].filter(([k]) => !listed.has(k)).map(([k, why]) => `${k}: ${why}`)
    expect(unlisted, 'gaps not listed in the README\'s Switching section').to.deep.equal([])
    const stale = [...listed].filter(k => !gaps.has(k))
    expect(stale, 'listed in the README but no longer a gap: remove them from the list').to.deep.equal([])
  })
})
