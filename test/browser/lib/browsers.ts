// Launching the system's browsers with playwright-core: Debian's chromium (playwright's own
// browser downloads are not used). Firefox is launched only if its binary is present.

import { existsSync } from 'node:fs'
import { chromium, firefox } from 'playwright-core'
import type { Browser } from 'playwright-core'

export type BrowserName = 'chromium' | 'firefox'

const PATHS: Record<BrowserName, string[]> = {
  chromium: [process.env.CHROMIUM_PATH ?? '', '/usr/bin/chromium', '/usr/bin/chromium-browser'],
  firefox: [process.env.FIREFOX_PATH ?? '', '/usr/bin/firefox-esr', '/usr/bin/firefox']
}

/** The executable for `name`, or undefined when none is installed. */
export function browserPath (name: BrowserName): string | undefined {
  return PATHS[name].find(p => p !== '' && existsSync(p))
}

export async function launch (name: BrowserName): Promise<Browser> {
  const executablePath = browserPath(name)
  if (executablePath === undefined) { throw new Error(`no ${name} executable found (set ${name.toUpperCase()}_PATH)`) }
  if (name === 'chromium') {
    // WebRtcHideLocalIpsWithMdns off: host ICE candidates carry the machine's address instead of
    // a random .local name that needs multicast DNS to resolve (pages on one machine, no STUN);
    // a WebRTC dial still stalls now and then (see test/browser/webrtc/page.ts)
    return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-features=WebRtcHideLocalIpsWithMdns'] })
  }
  // stock Firefox is driven over WebDriver BiDi (playwright's 'moz-' channels), not playwright's patched build
  return firefox.launch({ executablePath, headless: true, channel: 'moz-firefox' })
}
