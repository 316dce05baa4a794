/**
 * A WebSocket that reports every message it sends and receives: the page gives it to the SIP
 * and MSRP transports as their `WebSocket`, so the inspector sees the frames exactly as they
 * cross the wire (RFC 7118: one SIP message, RFC 7977: one MSRP frame per WebSocket message).
 *
 * @module
 */

/** One frame seen on a WebSocket. */
export interface WireFrame {
  readonly direction: 'in' | 'out'
  /** The WebSocket subprotocol: `sip` or `msrp`. */
  readonly protocol: string
  readonly text: string
  readonly time: Date
}

const decoder = new TextDecoder('utf-8')

function asText(data: unknown): string {
  if (typeof data === 'string') return data
  if (data instanceof ArrayBuffer) return decoder.decode(data)
  if (ArrayBuffer.isView(data)) return decoder.decode(data)
  return String(data)
}

/** A `WebSocket` class whose instances call `onFrame` for every message in and out. */
export function tappedWebSocket(onFrame: (frame: WireFrame) => void): typeof WebSocket {
  return class TappedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('message', (event) => onFrame({ direction: 'in', protocol: this.protocol, text: asText(event.data), time: new Date() }))
    }

    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      super.send(data as string)
      onFrame({ direction: 'out', protocol: this.protocol, text: asText(data), time: new Date() })
    }
  }
}
