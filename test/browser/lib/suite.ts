// What each browser suite gets from the runner: the launched browser, the static server for its
// pages and bundles, and the results to report into.

import type { BrowserName } from './browsers.ts'
import type { Results } from './results.ts'
import type { StaticServer } from './server.ts'
import type { Browser } from 'playwright-core'

export interface SuiteContext {
  browser: Browser
  browserName: BrowserName
  server: StaticServer
  results: Results
}
