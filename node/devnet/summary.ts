/** The few lines `rollbook devnet` prints once everything runs. */
import { createPublicClient, http, type Address } from 'viem'
import { getBalance } from '../../sdk/src/actions/getBalance.ts'
import { defineRollbookChain } from '../../sdk/src/chain.ts'
import { formatOdds, formatStake } from '../../sdk/src/units.ts'
import type { DevnetStatus } from './devnet.ts'
import type { DevnetFile } from './devnetFile.ts'
import { l1StablecoinBalances } from './l1Setup.ts'

export interface AccountBalances {
  l1: bigint[]
  l2: bigint[]
}

/** Each account's test stablecoin on L1 and its bet engine balance on L2, as they are now. */
export async function readBalances(file: DevnetFile): Promise<AccountBalances> {
  const l2Client = createPublicClient({ chain: defineRollbookChain({ id: file.l2.chainId, rpcUrl: file.l2.sequencer.httpUrl }), transport: http(file.l2.sequencer.httpUrl) })
  const [l1, l2] = await Promise.all([
    l1StablecoinBalances(file.l1.httpUrl, file.l1.contracts.stablecoin, file.accounts),
    Promise.all(file.accounts.map((a) => getBalance(l2Client, { address: a.address }))),
  ])
  return { l1, l2 }
}

const short = (address: Address) => `${address.slice(0, 6)}…${address.slice(-4)}`
const tusd = (amount: bigint) => `${Number(formatStake(amount)).toLocaleString('en-US')} tUSD`

export function formatSummary(file: DevnetFile, status: DevnetStatus, balances: AccountBalances, datadir: string): string {
  const lines = [
    `Rollbook devnet ${status.resumed ? 'resumed' : 'ready'} (${datadir})`,
    '',
    `  L1  anvil, chain ${file.l1.chainId}       ${file.l1.httpUrl}  ${file.l1.wsUrl}`,
    `  L2  sequencer, chain ${file.l2.chainId}  ${file.l2.sequencer.httpUrl}  ${file.l2.sequencer.wsUrl}`,
    `  L2  replica                ${file.l2.replica.httpUrl}  ${file.l2.replica.wsUrl}`,
    '',
    `  L1 contracts  bridge ${file.l1.contracts.bridge}  stablecoin (tUSD) ${file.l1.contracts.stablecoin}`,
    `                inbox ${file.l1.contracts.inbox}  output roots ${file.l1.contracts.outputRoots}  (challenge window ${file.l1.challengeWindowSeconds} s)`,
    '',
    '  Accounts (test mnemonic "test test … junk"; keys in devnet.json)      L1 tUSD now / L2 balance now',
    ...file.accounts.map(
      (a, i) => `  ${String(a.index).padStart(2)} ${short(a.address)}  ${a.role.padEnd(9)} ${a.description.padEnd(52).slice(0, 52)} ${tusd(balances.l1[i]).padStart(16)} / ${tusd(balances.l2[i])}`,
    ),
    '',
    '  Markets',
    ...file.markets.map(
      (m) =>
        `  #${m.id} ${m.name}: ${m.outcomes.map((o, i) => `${o} ${formatOdds(m.odds[i])}`).join(', ')}; closes ${new Date(m.closeTime * 1000).toISOString().replace('.000Z', 'Z')}`,
    ),
    '',
  ]
  if (status.depositsCredited === false) {
    lines.push(
      '  ! The deposits are queued on L1 but the L2 balances did not show them within --deposit-wait: the',
      '    sequencer credits each once it reads it from the L1 queue (docs/decisions/0004); see the log.',
      '',
    )
  }
  if (status.operatorApi !== undefined) {
    const { apiKey, random } = status.operatorApi
    const exposure = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'rollbook_getExposure', params: [{ marketId: String(file.markets[0]?.id ?? 1) }] })
    lines.push(
      `  Operator API (docs/operator-api.md)  API key ${apiKey}${random ? '  (random at each start; --api-key KEY to choose)' : ''}`,
      `    curl -s ${file.l2.sequencer.httpUrl} -H 'Authorization: Bearer ${apiKey}' -H 'content-type: application/json' -d '${exposure}'`,
      '',
    )
  }
  lines.push(`  URLs, keys and addresses: ${status.devnetFile}   logs: ${status.logFile}`, '  Ctrl-C stops everything; starting again on the same datadir resumes.')
  return lines.join('\n')
}
