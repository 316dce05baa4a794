import { chatServerSuite } from './suite.ts'

// The whole chat-server suite over real loopback TCP (SIP and MSRP sockets).
chatServerSuite('tcp')
