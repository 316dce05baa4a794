/** The UA core: the layer between transports and the user-agent API (register, message, invite ...). */
export {
  UserAgentCore, DEFAULT_ALLOWED_METHODS,
  type UserAgentCoreOptions, type SendRequestOptions, type RequestHandler, type OrphanHandler, type CoreLogger,
} from './user-agent-core.ts'
export { IncomingRequest, type RespondOptions } from './incoming-request.ts'
export { destinationForUri, nextHop, outboundProxyRoute, outboundProxyRouteHeader, responseDestination, stampVia, UnroutableRequestError } from './routing.ts'
export { transportSetPort, sourceOf, type CoreTransportPort } from './transport-adapter.ts'
export { badRequestFor } from './bad-request.ts'
