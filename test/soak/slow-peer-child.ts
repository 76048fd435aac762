// Runs the slow-peer soak in a child process of its own (fresh heap and event loop, away from the
// test runner's) and sends the report to the parent over IPC.

import { runSlowSoak } from './slow-peer.ts'

const report = await runSlowSoak(JSON.parse(process.argv[2] ?? '{}'))
process.send?.(report)
process.exit()
