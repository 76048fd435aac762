// examples/browser-chat driven for real: a `meshsub node --relay` process, the example's own page
// server, two Chromium tabs typing into the page and the terminal typing on stdin; screenshot.

import { fileURLToPath } from 'node:url'
import { serveChat } from '../../../examples/browser-chat/serve.ts'
import { BIN, run } from '../../cli/proc.ts'
import type { Proc } from '../../cli/proc.ts'
import type { SuiteContext } from '../lib/suite.ts'
import type { Page } from 'playwright-core'

const SCREENSHOT = fileURLToPath(new URL('../../../examples/browser-chat/screenshot.png', import.meta.url))

interface Line { from: string, text: string, via: string }

async function lines (page: Page): Promise<Line[]> {
  return page.evaluate(() => (globalThis as any).chat?.lines ?? [])
}

/** Resolves once `page` shows a line with `text`; returns it. */
async function seen (page: Page, text: string): Promise<Line> {
  const handle = await page.waitForFunction((t) => ((globalThis as any).chat?.lines ?? []).find((l: Line) => l.text === t), text, { timeout: 20_000 })
  return handle.jsonValue()
}

async function type (page: Page, text: string): Promise<void> {
  await page.fill('#text', text)
  await page.press('#text', 'Enter')
}

function expectFrom (line: Line, want: RegExp, what: string): void {
  if (!want.test(line.from)) { throw new Error(`${what}: shown as from "${line.from}", expected ${String(want)}`) }
}

/** One picture of the whole chat: both tabs side by side and the terminal's output below. */
async function composeScreenshot (ctx: SuiteContext, tabs: Page[], terminal: Proc, typed: string): Promise<void> {
  const shots = await Promise.all(tabs.map(async t => (await t.screenshot()).toString('base64')))
  const esc = (s: string): string => s.replace(/[&<>]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] as string)
  const term = [...terminal.stderr.split('\n').filter(l => /peer id|browser address|circuit relay|mesh chat/.test(l)), ...terminal.stdout.split('\n').filter(l => l.startsWith('[chat] ')), `${typed}   ← typed on stdin`]
  const page = await ctx.browser.newPage({ viewport: { width: 1480, height: 200 } })
  try {
    await page.setContent(`<body style="margin:0;background:#c9ced8;font:13px system-ui">
      <div style="display:flex;gap:12px;padding:12px">${shots.map((s, i) => `<figure style="margin:0;flex:1"><figcaption>tab ${i + 1}</figcaption><img style="width:100%;border:1px solid #888" src="data:image/png;base64,${s}"></figure>`).join('')}</div>
      <figure style="margin:0 12px"><figcaption>terminal: meshsub node --topic chat --topic chat-peers --relay --listen …/ws</figcaption>
      <pre style="margin:0;background:#14171f;color:#d6dae3;padding:8px;font:12px monospace;white-space:pre-wrap">${esc(term.join('\n'))}</pre></figure></body>`)
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
  } finally {
    await page.close()
  }
}

export async function runBrowserChat (ctx: SuiteContext): Promise<void> {
  const terminal = run(BIN, ['node', '--topic', 'chat', '--topic', 'chat-peers', '--relay', '--listen', '/ip4/127.0.0.1/tcp/0/ws'])
  const { server, url } = await serveChat(0)
  const tabs: Page[] = []
  try {
    await ctx.results.test(`${ctx.browserName} examples/browser-chat: two tabs and a terminal chat (tabs direct over WebRTC, terminal over WebSockets)`, async () => {
      const [, addr] = await terminal.waitFor('stderr', /browser address (\S+)\n/, 30_000)
      for (let i = 0; i < 2; i++) {
        const tab = await ctx.browser.newPage({ viewport: { width: 720, height: 500 } })
        tabs.push(tab)
        await tab.goto(`${url}?bootstrap=${encodeURIComponent(addr)}`)
      }
      // each tab meshes with the other tab (over WebRTC) and with the terminal's node
      const ids = await Promise.all(tabs.map(async t => {
        await t.waitForFunction(() => (globalThis as any).chat !== undefined, undefined, { timeout: 30_000 })
        return t.evaluate(() => (globalThis as any).chat.node.peerId.toString() as string)
      }))
      for (const [i, t] of tabs.entries()) {
        await t.waitForFunction((other) => {
          const n = (globalThis as any).chat.node
          // the other tab is a mesh peer, and the connection carrying its gossipsub stream is WebRTC
          return n.services.pubsub.getMeshPeers('chat').length === 2 &&
          n.services.pubsub.getMeshPeers('chat').some((p: any) => p.toString() === other) &&
          n.getConnections().some((c: any) => c.remotePeer.toString() === other && c.remoteAddr.toString().includes('/webrtc') &&
            c.streams.some((s: any) => String(s.protocol).startsWith('/meshsub/')))
        }, ids[1 - i], { timeout: 45_000 })
      }
      await terminal.waitFor('stderr', /mesh chat: 2 peers\n/, 20_000)

      await type(tabs[0], 'hello from tab 1')
      // (a message may reach a tab direct or forwarded by the other peer: gossip decides, not us)
      expectFrom(await seen(tabs[1], 'hello from tab 1'), new RegExp(`^${ids[0].slice(-8)}$`), 'tab 2 got tab 1')
      await terminal.waitFor('stdout', /^\[chat\] \w+: hello from tab 1$/m)
      await type(tabs[1], 'hi tab 1, tab 2 here')
      expectFrom(await seen(tabs[0], 'hi tab 1, tab 2 here'), new RegExp(`^${ids[1].slice(-8)}$`), 'tab 1 got tab 2')
      await terminal.waitFor('stdout', /^\[chat\] \w+: hi tab 1, tab 2 here$/m)
      terminal.child.stdin.write('and the terminal says hi\n')
      for (const [i, t] of tabs.entries()) {
        expectFrom(await seen(t, 'and the terminal says hi'), /^\w{8} \(bootstrap\)$/, `tab ${i + 1} got the terminal`)
      }
      // each message shows once in each tab
      for (const t of tabs) {
        const texts = (await lines(t)).map(l => l.text)
        if (texts.length !== 3 || new Set(texts).size !== 3) { throw new Error(`a tab shows ${JSON.stringify(texts)}`) }
      }
      await composeScreenshot(ctx, tabs, terminal, 'and the terminal says hi')
    })
  } finally {
    await Promise.all(tabs.map(async t => t.close()))
    server.close()
    terminal.child.kill('SIGINT')
    await terminal.exit
  }
}
