import { encodeFunctionData, type Account, type Address, type Chain, type Client, type Hash, type Transport } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { sendBetEngineTransaction, type SendBetEngineTransactionErrorType, type WriteParameters } from '../transaction.ts'

export type SetCommitteeParameters = WriteParameters & {
  /** 1 to 16 distinct non-zero addresses. */
  members: readonly Address[]
  /** How many members must agree to propose a result, 1 to members.length. */
  threshold: number
  /** How long a proposed result may be flagged before it is final; 0 makes it final at once. */
  disputeWindowSeconds: number
}
export type SetCommitteeReturnType = Hash
export type SetCommitteeErrorType = SendBetEngineTransactionErrorType

/**
 * Seats a new oracle committee (operator only). Votes cast under the previous committee stop
 * counting; a result already proposed keeps its finalAt.
 *
 * @example
 * const hash = await setCommittee(operator, { members: [a, b, c], threshold: 2, disputeWindowSeconds: 3_600 })
 */
export async function setCommittee<chain extends Chain | undefined, account extends Account | undefined>(
  client: Client<Transport, chain, account>,
  { members, threshold, disputeWindowSeconds, ...write }: SetCommitteeParameters,
): Promise<SetCommitteeReturnType> {
  const data = encodeFunctionData({
    abi: betEngineAbi,
    functionName: 'setCommittee',
    args: [members, threshold, disputeWindowSeconds],
  })
  return sendBetEngineTransaction(client, { ...write, data })
}
