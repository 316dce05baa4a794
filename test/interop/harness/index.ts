// Harness for interop tests against the shared real peers (Kamailio, sipp, SylkServer): ../shared/peers.
export { startKamailio, type KamailioInstance, type KamailioOptions, type KamailioDefine } from './kamailio.ts'
export { runSipp, sippThroughput, type SippOptions, type SippResult, type SippThroughput } from './sipp.ts'
export { peersDir, peersAvailable } from './peers.ts'
export { freePort } from './ports.ts'
export { startSylkServer, installSylkPeer, sylkServerAvailable, sylkPeerDir, sipsimpleChat, type SylkServerInstance, type SipsimpleChatOptions } from './sylkserver.ts'
export { LineProcess } from './child-process.ts'
