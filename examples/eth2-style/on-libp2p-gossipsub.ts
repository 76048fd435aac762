// The eth2-style app on @libp2p/gossipsub 17. It differs from on-meshsub.ts by the import line only.
// Run: npx node examples/eth2-style/on-libp2p-gossipsub.ts

import * as pubsub from '@libp2p/gossipsub'
import { main } from './network.ts'

export const pubsubModule = pubsub

if (import.meta.main === true) { await main(pubsubModule) }
