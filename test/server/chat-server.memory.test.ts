import { chatServerSuite } from './suite.ts'

// The same suite in process: SIP memory transport + MSRP memory network, no sockets.
chatServerSuite('memory')
