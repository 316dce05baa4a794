/**
 * The SIP user-agent API (like SIP.js's api/ layer): one class per job, each a state machine
 * with named states, every call resolving with the final response or rejecting with a typed error.
 */
// Common: the facade and the classes built on it.
export { UserAgent, UA_ALLOWED_METHODS, UA_SUPPORTED, type UserAgentOptions, type UserAgentEvents, type UserAgentState, type UaTransportKind, type UaTlsOptions, type UaSendOptions, type UaRequestInit, type UaDisposable } from './user-agent.ts'
export type { UaContext, UaTransportFactory } from './options.ts'
// Node's transports for a UA created with transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss'.
export { nodeTransports } from './node-transports.ts'
export { Registerer, type RegistererOptions, type RegistererEvents, type RegistererState } from './registerer.ts'
export { Messager, type MessagerOptions } from './messager.ts'
export { IncomingMessage } from './incoming-message.ts'
export { Inviter, type InviterOptions, type InviterEvents, type InviterState } from './inviter.ts'
export { Invitation, type InvitationEvents, type InvitationState } from './invitation.ts'
export { Session, parseSessionExpires, type SessionEvents, type SessionState, type SessionEndReason, type SessionTimer } from './session.ts'
export { Subscriber, type SubscriberOptions, type SubscriberEvents, type SubscriberState, type Notification } from './subscriber.ts'
export { IncomingSubscription, type AcceptSubscriptionOptions } from './incoming-subscription.ts'
export { Notifier, type NotifierEvents, type NotifierState, type NotifyContent } from './notifier.ts'
export { Publisher, type PublisherOptions, type PublisherEvents, type PublisherState } from './publisher.ts'
// Errors and helpers (advanced: the digest-answering sender every class uses).
export { RequestAuthenticator } from './request-authenticator.ts'
export { SipAuthError, SipResponseError, SipStateError, SipTimeoutError } from './errors.ts'
export { type UaLogger, silentUaLogger } from './logger.ts'
export { refreshDelayMs, backoffMs } from './timing.ts'
// Presence on the UA (RFC 3903 PUBLISH and RFC 3856 SUBSCRIBE of PIDF documents).
export { PresencePublisher, type PresencePublisherOptions, type PresencePublisherEvents, type PresenceStatus } from './presence-publisher.ts'
export { PresenceWatcher, type PresenceWatcherOptions, type PresenceWatcherEvents, type PresenceUpdate } from './presence-watcher.ts'
