// A static HTTP server on 127.0.0.1 for the harness pages (http://127.0.0.1 is a secure context,
// so WebCrypto is available). Routes are in-memory strings: bundles never touch the disk.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StaticServer {
  url: string
  /** serves `body` at `path` with a content type from its extension */
  set(path: string, body: string): void
  close(): Promise<void>
}

const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css', json: 'application/json' }

export async function serve (): Promise<StaticServer> {
  const routes = new Map<string, string>()
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const body = routes.get(path)
    if (body === undefined) {
      res.writeHead(404).end()
      return
    }
    const ext = path.slice(path.lastIndexOf('.') + 1)
    res.writeHead(200, { 'content-type': `${TYPES[ext] ?? 'application/octet-stream'}; charset=utf-8`, 'cache-control': 'no-store' })
    res.end(body)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    set: (path, body) => { routes.set(path, body) },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
