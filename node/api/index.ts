export {
  RpcError,
  RpcErrorCode,
  executionReverted,
  internalError,
  invalidParams,
  invalidRequest,
  isRpcError,
  limitExceeded,
  methodNotFound,
  notificationsNotSupported,
  parseError,
  serverError,
  unauthorized,
  type RpcErrorCodeValue,
  type RpcErrorOptions,
} from './errors.ts'
export { defaultApiOptions, resolveApiOptions, type ApiOptions } from './options.ts'
export { MethodRegistry, defineMethod, type AnyMethodDefinition, type MethodDefinition, type RequestContext } from './registry.ts'
export {
  SubscriptionRegistry,
  defineSubscription,
  type SubscribeMethod,
  type AnySubscriptionDefinition,
  type SubscriptionDefinition,
  type Unsubscribe,
} from './subscriptions.ts'
export { RpcServer, type RpcServerModules, type RpcServerUrls } from './server.ts'
export type { WsConnection } from './wsConnection.ts'
