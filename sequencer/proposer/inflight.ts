import type { Hex } from 'viem'
import type { ChainStore } from '../../node/storage/chainStore.ts'
import { MetaKey } from '../../node/storage/keys.ts'

/** The proposal tx last signed: every version of it (same nonce, bumped fees), so a restart waits for it rather than sending another. */
export interface InflightProposal {
  batchIndex: bigint
  nonce: number
  txHashes: Hex[]
}

/** The in-flight proposal in the chain store's meta keys, written before each version is sent. */
export class InflightProposalStore {
  constructor(private readonly store: Pick<ChainStore, 'getMeta' | 'putMeta'>) {}

  async load(): Promise<InflightProposal | undefined> {
    const bytes = await this.store.getMeta(MetaKey.proposer)
    if (bytes === undefined) return undefined
    const json = JSON.parse(new TextDecoder().decode(bytes)) as { batchIndex: string; nonce: number; txHashes: Hex[] }
    return { ...json, batchIndex: BigInt(json.batchIndex) }
  }

  async save(inflight: InflightProposal): Promise<void> {
    await this.store.putMeta(MetaKey.proposer, new TextEncoder().encode(JSON.stringify({ ...inflight, batchIndex: inflight.batchIndex.toString() })))
  }
}
