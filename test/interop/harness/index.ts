// Harness for interop tests against real peers: Kamailio and sipp (set up by test/interop/peers/),
// and SylkServer with its SIP SIMPLE client (the prebuilt peer in ../shared/peers/sylkserver).
export { startKamailio, type KamailioInstance, type KamailioOptions, type KamailioDefine } from './kamailio.ts'
export { runSipp, sippThroughput, type SippOptions, type SippResult, type SippThroughput } from './sipp.ts'
export { peersDir, peersAvailable, INTEROP_PACKAGES } from './peers.ts'
export { freePort } from './ports.ts'
export { startSylkServer, installSylkPeer, sylkServerAvailable, sylkPeerDir, sipsimpleChat, type SylkServerInstance, type SipsimpleChatOptions } from './sylkserver.ts'
export { LineProcess } from './child-process.ts'
