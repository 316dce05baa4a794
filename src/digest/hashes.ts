/**
 * The three hashes HTTP Digest names (RFC 7616 §3.2: MD5, SHA-256, SHA-512/256), written out so
 * that digest authentication runs wherever the stack does: Web Crypto has no MD5 and only an
 * asynchronous SHA, and `node:crypto` is not in a browser. Inputs are short (credentials and
 * request lines), so a plain implementation is fast enough; test/digest/hashes.test.ts checks
 * every one against `node:crypto` on random inputs.
 *
 * @module
 */

/** Hash functions by their Digest base name (lower case, without `-sess`). */
export type DigestHashName = 'md5' | 'sha-256' | 'sha-512-256'

const encoder = new TextEncoder()

/** UTF-8 bytes of a string, or the bytes as given. */
function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data
}

function hex(words: Uint32Array | readonly number[], littleEndian: boolean, bytes: number): string {
  let out = ''
  for (let i = 0; i < bytes; i++) {
    const word = words[i >>> 2]!
    const shift = littleEndian ? (i & 3) * 8 : 24 - (i & 3) * 8
    out += ((word >>> shift) & 0xff).toString(16).padStart(2, '0')
  }
  return out
}

/**
 * The message padded to a multiple of `block` bytes with the 0x80 marker and the bit length
 * in the last `lengthBytes` bytes (RFC 1321 §3.1–3.2, FIPS 180-4 §5.1), as 32-bit words.
 */
function padded(message: Uint8Array, block: number, lengthBytes: number, littleEndian: boolean): Uint32Array {
  const total = Math.ceil((message.length + 1 + lengthBytes) / block) * block
  const buf = new Uint8Array(total)
  buf.set(message)
  buf[message.length] = 0x80
  const view = new DataView(buf.buffer)
  const bits = message.length * 8
  const high = Math.floor(bits / 0x1_0000_0000)
  if (littleEndian) {
    view.setUint32(total - 8, bits >>> 0, true)
    view.setUint32(total - 4, high, true)
  } else {
    view.setUint32(total - 8, high, false)
    view.setUint32(total - 4, bits >>> 0, false)
  }
  const words = new Uint32Array(total / 4)
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, littleEndian)
  return words
}

const MD5_S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
const MD5_K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 0x1_0000_0000) >>> 0)

/** MD5 (RFC 1321) as lower-case hex. */
export function md5Hex(data: string | Uint8Array): string {
  const x = padded(bytesOf(data), 64, 8, true)
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
  for (let off = 0; off < x.length; off += 16) {
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    for (let i = 0; i < 64; i++) {
      let f: number
      let g: number
      if (i < 16) {
        f = (b & c) | (~b & d)
        g = i
      } else if (i < 32) {
        f = (d & b) | (~d & c)
        g = (5 * i + 1) & 15
      } else if (i < 48) {
        f = b ^ c ^ d
        g = (3 * i + 5) & 15
      } else {
        f = c ^ (b | ~d)
        g = (7 * i) & 15
      }
      const s = MD5_S[(i >>> 4) * 4 + (i & 3)]!
      const sum = (a + f + MD5_K[i]! + x[off + g]!) | 0
      a = d
      d = c
      c = b
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0
    }
    h[0] = (h[0]! + a) | 0
    h[1] = (h[1]! + b) | 0
    h[2] = (h[2]! + c) | 0
    h[3] = (h[3]! + d) | 0
  }
  return hex(h.map((v) => v >>> 0), true, 16)
}

const SHA256_K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n))

/** SHA-256 (FIPS 180-4 §6.2) as lower-case hex. */
export function sha256Hex(data: string | Uint8Array): string {
  const m = padded(bytesOf(data), 64, 8, false)
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])
  const w = new Uint32Array(64)
  for (let off = 0; off < m.length; off += 16) {
    for (let t = 0; t < 16; t++) w[t] = m[off + t]!
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!
      const y = w[t - 2]!
      w[t] = w[t - 16]! + (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) + w[t - 7]! + (rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10))
    }
    let [a, b, c, d, e, f, g, hh] = h as unknown as [number, number, number, number, number, number, number, number]
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + SHA256_K[t]! + w[t]!) | 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
      hh = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h[0] = h[0]! + a
    h[1] = h[1]! + b
    h[2] = h[2]! + c
    h[3] = h[3]! + d
    h[4] = h[4]! + e
    h[5] = h[5]! + f
    h[6] = h[6]! + g
    h[7] = h[7]! + hh
  }
  return hex(h, false, 32)
}

/** SHA-512 round constants (FIPS 180-4 §4.2.3) as [high, low] 32-bit halves, flattened. */
const SHA512_K = new Uint32Array(
  [
    '428a2f98d728ae22', '7137449123ef65cd', 'b5c0fbcfec4d3b2f', 'e9b5dba58189dbbc', '3956c25bf348b538', '59f111f1b605d019', '923f82a4af194f9b', 'ab1c5ed5da6d8118',
    'd807aa98a3030242', '12835b0145706fbe', '243185be4ee4b28c', '550c7dc3d5ffb4e2', '72be5d74f27b896f', '80deb1fe3b1696b1', '9bdc06a725c71235', 'c19bf174cf692694',
    'e49b69c19ef14ad2', 'efbe4786384f25e3', '0fc19dc68b8cd5b5', '240ca1cc77ac9c65', '2de92c6f592b0275', '4a7484aa6ea6e483', '5cb0a9dcbd41fbd4', '76f988da831153b5',
    '983e5152ee66dfab', 'a831c66d2db43210', 'b00327c898fb213f', 'bf597fc7beef0ee4', 'c6e00bf33da88fc2', 'd5a79147930aa725', '06ca6351e003826f', '142929670a0e6e70',
    '27b70a8546d22ffc', '2e1b21385c26c926', '4d2c6dfc5ac42aed', '53380d139d95b3df', '650a73548baf63de', '766a0abb3c77b2a8', '81c2c92e47edaee6', '92722c851482353b',
    'a2bfe8a14cf10364', 'a81a664bbc423001', 'c24b8b70d0f89791', 'c76c51a30654be30', 'd192e819d6ef5218', 'd69906245565a910', 'f40e35855771202a', '106aa07032bbd1b8',
    '19a4c116b8d2d0c8', '1e376c085141ab53', '2748774cdf8eeb99', '34b0bcb5e19b48a8', '391c0cb3c5c95a63', '4ed8aa4ae3418acb', '5b9cca4f7763e373', '682e6ff3d6b2b8a3',
    '748f82ee5defb2fc', '78a5636f43172f60', '84c87814a1f0ab72', '8cc702081a6439ec', '90befffa23631e28', 'a4506cebde82bde9', 'bef9a3f7b2c67915', 'c67178f2e372532b',
    'ca273eceea26619c', 'd186b8c721c0c207', 'eada7dd6cde0eb1e', 'f57d4f7fee6ed178', '06f067aa72176fba', '0a637dc5a2c898a6', '113f9804bef90dae', '1b710b35131c471b',
    '28db77f523047d84', '32caab7b40c72493', '3c9ebe0a15c9bebc', '431d67c49c100d4c', '4cc5d4becb3e42b6', '597f299cfc657e2a', '5fcb6fab3ad6faec', '6c44198c4a475817',
  ].flatMap((k) => [parseInt(k.slice(0, 8), 16), parseInt(k.slice(8), 16)]),
)

/** The SHA-512/256 initial hash value (FIPS 180-4 §5.3.6.2), as [high, low] halves. */
const SHA512_256_IV = [
  0x22312194, 0xfc2bf72c, 0x9f555fa3, 0xc84c64c2, 0x2393b86b, 0x6f53b151, 0x96387719, 0x5940eabd,
  0x96283ee2, 0xa88effe3, 0xbe5e1e25, 0x53863992, 0x2b0199fc, 0x2c85b8aa, 0x0eb72ddc, 0x81c52ca2,
]

/** SHA-512/256 (FIPS 180-4 §6.7) as lower-case hex; 64-bit words are kept as two 32-bit halves. */
export function sha512_256Hex(data: string | Uint8Array): string {
  const m = padded(bytesOf(data), 128, 16, false)
  const h = new Uint32Array(SHA512_256_IV)
  const w = new Uint32Array(160)
  const v = new Uint32Array(16)
  // 64-bit helpers over (hi, lo) pairs; results go through `rh`/`rl`.
  let rh = 0
  let rl = 0
  const rotr64 = (hi: number, lo: number, n: number): void => {
    if (n < 32) {
      rh = (hi >>> n) | (lo << (32 - n))
      rl = (lo >>> n) | (hi << (32 - n))
    } else {
      rh = (lo >>> (n - 32)) | (hi << (64 - n))
      rl = (hi >>> (n - 32)) | (lo << (64 - n))
    }
  }
  const shr64 = (hi: number, lo: number, n: number): void => {
    rh = hi >>> n
    rl = (lo >>> n) | (hi << (32 - n))
  }
  // ROTR a ^ ROTR b ^ (SHR or ROTR) c of one word: the four σ/Σ functions of FIPS 180-4 §4.1.3.
  const sigma = (hi: number, lo: number, a: number, b: number, c: number, lastIsShift: boolean): void => {
    rotr64(hi, lo, a)
    const xh = rh
    const xl = rl
    rotr64(hi, lo, b)
    const yh = rh
    const yl = rl
    if (lastIsShift) shr64(hi, lo, c)
    else rotr64(hi, lo, c)
    rh ^= xh ^ yh
    rl ^= xl ^ yl
  }
  const add = (pairs: number[]): void => {
    let lo = 0
    let hi = 0
    for (let i = 0; i < pairs.length; i += 2) {
      lo += pairs[i + 1]! >>> 0
      hi += pairs[i]! >>> 0
    }
    hi += Math.floor(lo / 0x1_0000_0000)
    rh = hi >>> 0
    rl = lo >>> 0
  }
  for (let off = 0; off < m.length; off += 32) {
    for (let t = 0; t < 32; t++) w[t] = m[off + t]!
    for (let t = 16; t < 80; t++) {
      sigma(w[(t - 15) * 2]!, w[(t - 15) * 2 + 1]!, 1, 8, 7, true)
      const s0h = rh
      const s0l = rl
      sigma(w[(t - 2) * 2]!, w[(t - 2) * 2 + 1]!, 19, 61, 6, true)
      const s1h = rh
      const s1l = rl
      add([w[(t - 16) * 2]!, w[(t - 16) * 2 + 1]!, s0h, s0l, w[(t - 7) * 2]!, w[(t - 7) * 2 + 1]!, s1h, s1l])
      w[t * 2] = rh
      w[t * 2 + 1] = rl
    }
    v.set(h)
    for (let t = 0; t < 80; t++) {
      const [ah, al, bh, bl, ch, cl, dh, dl] = [v[0]!, v[1]!, v[2]!, v[3]!, v[4]!, v[5]!, v[6]!, v[7]!]
      const [eh, el, fh, fl, gh, gl, hh, hl] = [v[8]!, v[9]!, v[10]!, v[11]!, v[12]!, v[13]!, v[14]!, v[15]!]
      sigma(eh, el, 14, 18, 41, false)
      const S1h = rh
      const S1l = rl
      const chh = (eh & fh) ^ (~eh & gh)
      const chl = (el & fl) ^ (~el & gl)
      add([hh, hl, S1h, S1l, chh, chl, SHA512_K[t * 2]!, SHA512_K[t * 2 + 1]!, w[t * 2]!, w[t * 2 + 1]!])
      const t1h = rh
      const t1l = rl
      sigma(ah, al, 28, 34, 39, false)
      const S0h = rh
      const S0l = rl
      const majh = (ah & bh) ^ (ah & ch) ^ (bh & ch)
      const majl = (al & bl) ^ (al & cl) ^ (bl & cl)
      add([S0h, S0l, majh, majl])
      const t2h = rh
      const t2l = rl
      v.copyWithin(2, 0, 14)
      add([dh, dl, t1h, t1l])
      v[8] = rh
      v[9] = rl
      add([t1h, t1l, t2h, t2l])
      v[0] = rh
      v[1] = rl
    }
    for (let i = 0; i < 16; i += 2) {
      add([h[i]!, h[i + 1]!, v[i]!, v[i + 1]!])
      h[i] = rh
      h[i + 1] = rl
    }
  }
  return hex(h, false, 32)
}

/** H(data) as lower-case hex for a Digest hash name. */
export function hashHex(name: DigestHashName, data: string | Uint8Array): string {
  switch (name) {
    case 'md5': return md5Hex(data)
    case 'sha-256': return sha256Hex(data)
    case 'sha-512-256': return sha512_256Hex(data)
  }
}
