// The end-to-end page bundle: the Peers API on globalThis, driven by the runner through
// playwright's evaluate().

import { Peers } from './peers.ts'

(globalThis as unknown as { peers: Peers }).peers = new Peers()
