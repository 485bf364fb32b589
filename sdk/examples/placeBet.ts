/** A bettor backs outcome 0 of market 1 on a devnet node: `npx tsx sdk/examples/placeBet.ts [marketId]` */
import { createWalletClient, http } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { DEV_MNEMONIC, devnetChain, findEvent, formatOdds, formatStake, getReceipt, parseOdds, parseStake, placeBet } from '../src/index.ts'

const bettor = createWalletClient({ chain: devnetChain, transport: http(), account: mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 2 }) })

const hash = await placeBet(bettor, { marketId: BigInt(process.argv[2] ?? 1), outcome: 0, stake: parseStake('10'), minOdds: parseOdds('1.5') })
const receipt = await getReceipt(bettor, { hash })

const placed = findEvent(receipt.events, 'BetPlaced')
if (placed === undefined) console.log(`bet refused: ${receipt.status === 'reverted' ? receipt.error?.name : 'no BetPlaced event'}`)
else console.log(`bet ${placed.args.betId} placed at odds ${formatOdds(placed.args.odds)}, pays ${formatStake(placed.args.payout)} if it wins`)
