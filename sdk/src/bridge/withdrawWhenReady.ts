import type { Account, Address, Chain, Client, TransactionReceipt, Transport } from 'viem'
import { withdrawalHash, type Withdrawal } from '../l1/encoding.ts'
import { WithdrawalAlreadyFinalizedError, WithdrawalWaitTimeoutError, type WithdrawalWaitTimeoutErrorType } from './errors.ts'
import { finalizeWithdrawal, type FinalizeWithdrawalErrorType } from './finalizeWithdrawal.ts'
import { getWithdrawalStatus, type GetWithdrawalStatusErrorType, type WithdrawalStatus } from './getWithdrawalStatus.ts'

export interface WithdrawWhenReadyParameters {
  l2Client: Client<Transport, Chain | undefined>
  outputRoots: Address
  bridge: Address
  withdrawal: Withdrawal
  l2BlockNumber: bigint
  account?: Account | Address | undefined
  /** How often to look again while waiting, in ms; 12 s (an L1 slot) by default. */
  pollingInterval?: number
  /** Give up (WithdrawalWaitTimeoutError) after this many ms; never by default. */
  timeout?: number
  /** Called with each status seen while waiting. */
  onStatus?: (status: WithdrawalStatus) => void
}

export type WithdrawWhenReadyReturnType = TransactionReceipt
export type WithdrawWhenReadyErrorType = WithdrawalWaitTimeoutErrorType | GetWithdrawalStatusErrorType | FinalizeWithdrawalErrorType

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Waits until the withdrawal's output is proposed and final, then finalizes it: the one call a
 * wallet needs after initiateWithdrawal. Throws WithdrawalAlreadyFinalizedError if it was paid.
 *
 * @example
 * const { withdrawal, l2BlockNumber } = await initiateWithdrawal(bettor, { to, amount })
 * const receipt = await withdrawWhenReady(l1Wallet, { l2Client, outputRoots, bridge, withdrawal, l2BlockNumber })
 */
export async function withdrawWhenReady<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { pollingInterval = 12_000, timeout, onStatus, ...params }: WithdrawWhenReadyParameters,
): Promise<WithdrawWhenReadyReturnType> {
  const deadline = timeout === undefined ? undefined : Date.now() + timeout
  for (;;) {
    const status = await getWithdrawalStatus({ l1Client: client, ...params })
    onStatus?.(status)
    if (status.status === 'finalized') throw new WithdrawalAlreadyFinalizedError({ withdrawalHash: withdrawalHash(params.withdrawal) })
    if (status.status === 'ready-to-finalize') return finalizeWithdrawal(client, params)
    if (deadline !== undefined && Date.now() + pollingInterval > deadline) {
      throw new WithdrawalWaitTimeoutError({ timeoutMs: timeout!, lastStatus: status.status })
    }
    await sleep(pollingInterval)
  }
}
