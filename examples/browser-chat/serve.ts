// Serves the browser chat: bundles chat.ts for browsers (esbuild) and serves it with index.html
// over http on 127.0.0.1. Usage: node serve.ts [--port 8080] [--bootstrap <browser address>]

import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import type { Server } from 'node:http'

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url))

/** The page's script as one browser ES module (the library's browser build: no Node builtins). */
export async function bundleChat (): Promise<string> {
  const out = await build({
    entryPoints: [here('chat.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // the library's `#platform` import points at its TypeScript sources under this condition
    conditions: ['meshsub-source'],
    write: false,
    minify: true,
    logLevel: 'silent'
  })
  return out.outputFiles[0].text
}

/** Starts the http server; resolves once it listens (port 0 picks a free one). */
export async function serveChat (port: number, host = '127.0.0.1'): Promise<{ server: Server, url: string }> {
  const [html, js] = await Promise.all([readFile(here('index.html'), 'utf8'), bundleChat()])
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    } else if (path === '/chat.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js)
    } else {
      res.writeHead(404).end('not found')
    }
  })
  await new Promise<void>(resolve => server.listen(port, host, resolve))
  const addr = server.address()
  return { server, url: `http://${host}:${typeof addr === 'object' && addr !== null ? addr.port : port}/` }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, bootstrap: { type: 'string' } } })
  const { url } = await serveChat(Number(values.port))
  const page = values.bootstrap === undefined ? url : `${url}?bootstrap=${encodeURIComponent(values.bootstrap)}`
  process.stdout.write(`browser chat on ${page}\n${values.bootstrap === undefined ? 'add ?bootstrap=<browser address printed by meshsub node> to the URL\n' : ''}`)
}
