// Harness for interop tests against real peers (Kamailio, sipp), set up by test/interop/peers/.
export { startKamailio, type KamailioInstance, type KamailioOptions, type KamailioDefine } from './kamailio.ts'
export { runSipp, sippThroughput, type SippOptions, type SippResult, type SippThroughput } from './sipp.ts'
export { peersDir, peersAvailable, INTEROP_PACKAGES } from './peers.ts'
export { freePort } from './ports.ts'
