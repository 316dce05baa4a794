// callOutProxy: the next hop of call-outs to invitees not registered with the server (and callOutCredentials only with it).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { callOutProxyDestination } from '../../src/server/call-out-route.ts'
import { startChatServer } from '../../src/server/index.ts'

test('a proxy URI becomes the destination: port 5060 and UDP unless given', () => {
  assert.deepEqual(callOutProxyDestination('sip:127.0.0.1:5070;transport=tcp;lr'), { host: '127.0.0.1', port: 5070, transport: 'TCP' })
  assert.deepEqual(callOutProxyDestination('sip:proxy.example.test'), { host: 'proxy.example.test', port: 5060, transport: 'UDP' })
  assert.deepEqual(callOutProxyDestination('sip:[::1]:5080;transport=TCP'), { host: '::1', port: 5080, transport: 'TCP' })
})

test('bad proxies are refused with SERVER_CALL_OUT_PROXY and the form to write', () => {
  for (const bad of ['127.0.0.1:5060', 'sips:proxy.example.test', 'sip:proxy.example.test;transport=ws']) {
    assert.throws(() => callOutProxyDestination(bad), (e: { code?: string; message: string }) => e.code === 'SERVER_CALL_OUT_PROXY' && /sip:host:port;transport=tcp|transport must be/.test(e.message), bad)
  }
})

test('callOutCredentials without callOutProxy are refused: they would have no one to go to', async () => {
  await assert.rejects(
    startChatServer({ domain: 'example.test', callOutCredentials: { username: 'lobby', password: 'pw' } }),
    (e: { code?: string; message: string }) => e.code === 'SERVER_CALL_OUT_PROXY' && /give callOutProxy/.test(e.message) && !e.message.includes('pw'),
  )
})
