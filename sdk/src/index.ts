export { defineRollbookChain, devnetChain, DEVNET_CHAIN_ID, DEVNET_RPC_URL, type DefineRollbookChainParameters } from './chain.ts'

export {
  createMarket,
  type CreateMarketParameters,
  type CreateMarketReturnType,
  type CreateMarketErrorType,
} from './actions/createMarket.ts'
export { setOdds, type SetOddsParameters, type SetOddsReturnType, type SetOddsErrorType } from './actions/setOdds.ts'
export {
  reportResult,
  type ReportResultParameters,
  type ReportResultReturnType,
  type ReportResultErrorType,
} from './actions/reportResult.ts'
export { voteResult, type VoteResultParameters, type VoteResultReturnType, type VoteResultErrorType } from './actions/voteResult.ts'
export { flagResult, type FlagResultParameters, type FlagResultReturnType, type FlagResultErrorType } from './actions/flagResult.ts'
export {
  finalizeResult,
  type FinalizeResultParameters,
  type FinalizeResultReturnType,
  type FinalizeResultErrorType,
} from './actions/finalizeResult.ts'
export {
  setCommittee,
  type SetCommitteeParameters,
  type SetCommitteeReturnType,
  type SetCommitteeErrorType,
} from './actions/setCommittee.ts'
export { placeBet, type PlaceBetParameters, type PlaceBetReturnType, type PlaceBetErrorType } from './actions/placeBet.ts'
export { settleBet, type SettleBetParameters, type SettleBetReturnType, type SettleBetErrorType } from './actions/settleBet.ts'
export {
  placeParlay,
  type ParlayLegParameters,
  type PlaceParlayParameters,
  type PlaceParlayReturnType,
  type PlaceParlayErrorType,
} from './actions/placeParlay.ts'
export {
  settleParlay,
  type SettleParlayParameters,
  type SettleParlayReturnType,
  type SettleParlayErrorType,
} from './actions/settleParlay.ts'
export { cashOut, type CashOutParameters, type CashOutReturnType, type CashOutErrorType } from './actions/cashOut.ts'
export { settle, type SettleParameters, type SettleReturnType, type SettleErrorType } from './actions/settle.ts'
export {
  cashOutQuote,
  type CashOutQuoteParameters,
  type CashOutQuoteReturnType,
  type CashOutQuoteErrorType,
} from './actions/cashOutQuote.ts'
export {
  getParlay,
  type Parlay,
  type ParlayLeg,
  type GetParlayParameters,
  type GetParlayReturnType,
  type GetParlayErrorType,
} from './actions/getParlay.ts'
export { getReceipt, type GetReceiptParameters, type GetReceiptReturnType, type GetReceiptErrorType } from './actions/getReceipt.ts'
export { getMarket, type Market, type GetMarketParameters, type GetMarketReturnType, type GetMarketErrorType } from './actions/getMarket.ts'
export { getBet, type Bet, type GetBetParameters, type GetBetReturnType, type GetBetErrorType } from './actions/getBet.ts'
export { getBalance, type GetBalanceParameters, type GetBalanceReturnType, type GetBalanceErrorType } from './actions/getBalance.ts'
export { getOperator, type GetOperatorParameters, type GetOperatorReturnType, type GetOperatorErrorType } from './actions/getOperator.ts'
export { getOracle, type GetOracleParameters, type GetOracleReturnType, type GetOracleErrorType } from './actions/getOracle.ts'
export {
  getCommittee,
  type Committee,
  type GetCommitteeParameters,
  type GetCommitteeReturnType,
  type GetCommitteeErrorType,
} from './actions/getCommittee.ts'
export {
  getResultState,
  type ResultState,
  type GetResultStateParameters,
  type GetResultStateReturnType,
  type GetResultStateErrorType,
} from './actions/getResultState.ts'
export { betEngineContract, type ReadParameters } from './actions/read.ts'
export {
  setMarketInfo,
  type SetMarketInfoParameters,
  type SetMarketInfoReturnType,
  type SetMarketInfoErrorType,
} from './actions/setMarketInfo.ts'
export {
  suspendMarket,
  type SuspendMarketParameters,
  type SuspendMarketReturnType,
  type SuspendMarketErrorType,
} from './actions/suspendMarket.ts'
export { reopenMarket, type ReopenMarketParameters, type ReopenMarketReturnType, type ReopenMarketErrorType } from './actions/reopenMarket.ts'
export { closeMarket, type CloseMarketParameters, type CloseMarketReturnType, type CloseMarketErrorType } from './actions/closeMarket.ts'
export { setLimits, type SetLimitsParameters, type SetLimitsReturnType, type SetLimitsErrorType } from './actions/setLimits.ts'
export { setPricing, type SetPricingParameters, type SetPricingReturnType, type SetPricingErrorType } from './actions/setPricing.ts'
export { quote, type Quote, type QuoteParameters, type QuoteReturnType, type QuoteErrorType } from './actions/quote.ts'
export {
  getMarketConfig,
  MarketType,
  type MarketConfig,
  type MarketPricing,
  type GetMarketConfigParameters,
  type GetMarketConfigReturnType,
  type GetMarketConfigErrorType,
} from './actions/getMarketConfig.ts'
export {
  getBettorStake,
  type GetBettorStakeParameters,
  type GetBettorStakeReturnType,
  type GetBettorStakeErrorType,
} from './actions/getBettorStake.ts'

export {
  betEngineTransactionFields,
  sendBetEngineTransaction,
  type WriteParameters,
  type SendBetEngineTransactionParameters,
  type SendBetEngineTransactionReturnType,
  type SendBetEngineTransactionErrorType,
} from './transaction.ts'
export { parseBetEngineReceipt, type BetEngineReceipt, type RollbookRpcReceipt } from './receipt.ts'
export {
  decodeBetEngineLogs,
  findEvent,
  parseEventNotification,
  type BetEngineEvent,
  type BetEngineEventArgs,
  type BetEngineEventName,
  type ParseEventNotificationResult,
} from './events.ts'
export {
  createRollbookSocket,
  parsePreconfirmation,
  watchAccount,
  watchMarket,
  watchMarketOdds,
  watchPreconfirmations,
  watchResults,
  type CreateRollbookSocketOptions,
  type RollbookChannel,
  type RollbookSocket,
  type Unsubscribe,
  type WatchAccountParameters,
  type WatchErrorType,
  type WatchMarketParameters,
  type WatchResultsParameters,
  type WatchMarketOddsParameters,
  type WatchPreconfirmationsParameters,
} from './watch.ts'
export {
  operatorClient,
  type CreateMarketResult,
  type MarketExposure,
  type OperatorClient,
  type OperatorClientErrorType,
  type OperatorTxResult,
} from './operatorClient.ts'
export {
  AccountNotFoundError,
  BetNotFoundError,
  BetRejectedError,
  InvalidNotificationError,
  MarketNotFoundError,
  ReceiptNotFoundError,
  RollbookRpcError,
  SocketClosedError,
  type AccountNotFoundErrorType,
  type BetNotFoundErrorType,
  type BetRejectedErrorType,
  type InvalidNotificationErrorType,
  type MarketNotFoundErrorType,
  type ReceiptNotFoundErrorType,
  type RollbookErrorType,
  type RollbookRpcErrorType,
  type SocketClosedErrorType,
} from './errors.ts'

export { formatOdds, formatStake, parseOdds, parseStake } from './units.ts'
export { betEngineAbi, decodeBetEngineError, type BetEngineRevert } from './betEngine/index.ts'
export * from './constants.ts'
export * from './batch/index.ts'
export * from './l1/encoding.ts'
export * from './bridge/index.ts'
