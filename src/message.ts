// `meshsub/message`: `RPC`, as `@libp2p/gossipsub/message` exports it — the RPC type with its parts
// as `RPC.Message`, `RPC.ControlIHave`, …, and `RPC.encode` / `RPC.decode`. Re-exports only.

import * as rpc from './codec/rpc-names.ts'

export { rpc as RPC }
export type RPC = rpc.RpcShape
