// The feature table: what a peer supports, decided once from the protocol id it negotiated
// (docs/protocol.md §1). Every protocol-dependent decision in the core reads these flags.

import { FloodsubID, GossipsubIDv10, GossipsubIDv11, GossipsubIDv12, GossipsubIDv13 } from './types.ts'

export interface ProtocolFeatures {
  /** the protocol id these features belong to */
  readonly protocol: string
  /** mesh, GRAFT/PRUNE, IHAVE/IWANT (meshsub ≥ 1.0); false for floodsub */
  readonly mesh: boolean
  /** PRUNE backoff and peer exchange (≥ 1.1) */
  readonly px: boolean
  /** IDONTWANT (≥ 1.2) */
  readonly idontwant: boolean
  /** ControlExtensions in the first RPC (≥ 1.3) */
  readonly extensions: boolean
}

const table: Readonly<Record<string, ProtocolFeatures>> = Object.freeze({
  [FloodsubID]: Object.freeze({ protocol: FloodsubID, mesh: false, px: false, idontwant: false, extensions: false }),
  [GossipsubIDv10]: Object.freeze({ protocol: GossipsubIDv10, mesh: true, px: false, idontwant: false, extensions: false }),
  [GossipsubIDv11]: Object.freeze({ protocol: GossipsubIDv11, mesh: true, px: true, idontwant: false, extensions: false }),
  [GossipsubIDv12]: Object.freeze({ protocol: GossipsubIDv12, mesh: true, px: true, idontwant: true, extensions: false }),
  [GossipsubIDv13]: Object.freeze({ protocol: GossipsubIDv13, mesh: true, px: true, idontwant: true, extensions: true })
})

/** Protocol ids we speak, newest first (the adapter registers them in this order). */
export const supportedProtocols: readonly string[] = Object.freeze([GossipsubIDv13, GossipsubIDv12, GossipsubIDv11, GossipsubIDv10, FloodsubID])

/** Features of a negotiated protocol, or undefined for a protocol we do not speak. */
export function protocolFeatures (protocol: string): ProtocolFeatures | undefined {
  return Object.hasOwn(table, protocol) ? table[protocol] : undefined
}
