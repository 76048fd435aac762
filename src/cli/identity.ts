// The `--key FILE` identity of `meshsub node`: a protobuf-marshalled libp2p private key, read when
// the file exists and otherwise generated (Ed25519) and written with owner-only permissions.

import { readFile, writeFile } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { UsageError } from './args.ts'
import type { PrivateKey } from '@libp2p/interface'

export async function loadOrCreateKey (file: string): Promise<{ key: PrivateKey, created: boolean }> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err: any) {
    if (err?.code !== 'ENOENT') { throw new UsageError(`--key ${file}: cannot read it (${String(err?.message ?? err)})`) }
    const key = await generateKeyPair('Ed25519')
    try {
      // 'wx': never overwrite a key file that appeared meanwhile
      await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600, flag: 'wx' })
    } catch (e: any) {
      throw new UsageError(`--key ${file}: cannot create it (${String(e?.message ?? e)})`)
    }
    return { key, created: true }
  }
  try {
    return { key: privateKeyFromProtobuf(bytes), created: false }
  } catch (err: any) {
    throw new UsageError(`--key ${file}: not a protobuf-encoded libp2p private key (${String(err?.message ?? err)})`)
  }
}
