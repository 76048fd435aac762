// The eth2-style app on meshsub. It differs from on-libp2p-gossipsub.ts by the import line only.
// Run: npx node examples/eth2-style/on-meshsub.ts

import * as pubsub from '../../src/index.ts' // an app writes: from 'meshsub'
import { main } from './network.ts'

export const pubsubModule = pubsub

if (import.meta.main === true) { await main(pubsubModule) }
