// The architecture and protocol guides name files of the tree: each named path must exist, so a
// move or rename that forgets the docs fails here instead of leaving readers a dead pointer.

import { access, readFile } from 'node:fs/promises'
import { expect } from 'aegir/chai'

const DOCS = ['docs/ARCHITECTURE.md', 'docs/protocol.md', 'docs/bounds.md']
/** `src/x/y.ts`, `src/x/`, `test/x/y.spec.ts`, `proto/rpc.proto` inside backticks */
const PATH = /`((?:src|test|proto|docs)\/[\w./-]*?)(?:\*\.ts)?`/g

describe('docs: named source paths exist', () => {
  for (const doc of DOCS) {
    it(`${doc}: every src/, test/, proto/ and docs/ path it names exists`, async () => {
      const text = await readFile(doc, 'utf8')
      const paths = [...new Set([...text.matchAll(PATH)].map(m => m[1].replace(/<name>\.ts$/, '')))]
      expect(paths.length).to.be.greaterThan(0)
      const missing: string[] = []
      for (const p of paths) {
        await access(p).catch(() => { missing.push(p) })
      }
      expect(missing, `${doc} names paths that do not exist`).to.deep.equal([])
    })
  }
})
