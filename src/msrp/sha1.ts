/**
 * SHA-1 fed in pieces (FIPS 180-4 §6.1), for the file hash RFC 5547 §6 puts in
 * `a=file-selector`. Web Crypto only hashes whole buffers, and a file is hashed as its chunks
 * stream past, so this runs anywhere without holding the file. SHA-1 here identifies a file;
 * it is not a security boundary.
 */

/** An incremental SHA-1: `update()` any number of times, then `digestHex()` once. */
export class Sha1 {
  readonly #h = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0])
  readonly #block = new Uint8Array(64)
  readonly #w = new Uint32Array(80)
  #blockLength = 0
  #bytes = 0
  #done = false

  /** Bytes hashed so far. */
  get length(): number {
    return this.#bytes
  }

  /** Adds `data` to the hash. */
  update(data: Uint8Array): this {
    if (this.#done) throw new Error('Sha1.update() after digestHex(): start a new Sha1 for a new file')
    this.#bytes += data.length
    let i = 0
    if (this.#blockLength > 0) {
      const take = Math.min(64 - this.#blockLength, data.length)
      this.#block.set(data.subarray(0, take), this.#blockLength)
      this.#blockLength += take
      i = take
      if (this.#blockLength < 64) return this
      this.#compress(this.#block, 0)
      this.#blockLength = 0
    }
    for (; i + 64 <= data.length; i += 64) this.#compress(data, i)
    if (i < data.length) {
      this.#block.set(data.subarray(i), 0)
      this.#blockLength = data.length - i
    }
    return this
  }

  /** The digest as 40 lower-case hex digits; the hash cannot be updated after. */
  digestHex(): string {
    if (!this.#done) {
      const bits = this.#bytes * 8
      const pad = new Uint8Array(this.#blockLength < 56 ? 64 - this.#blockLength : 128 - this.#blockLength)
      pad[0] = 0x80
      const view = new DataView(pad.buffer)
      view.setUint32(pad.length - 8, Math.floor(bits / 0x100000000))
      view.setUint32(pad.length - 4, bits >>> 0)
      const bytes = this.#bytes
      this.update(pad)
      this.#bytes = bytes
      this.#done = true
    }
    return Array.from(this.#h, (x) => x.toString(16).padStart(8, '0')).join('')
  }

  #compress(data: Uint8Array, offset: number): void {
    const w = this.#w
    for (let t = 0; t < 16; t++) {
      const o = offset + t * 4
      w[t] = (data[o]! << 24) | (data[o + 1]! << 16) | (data[o + 2]! << 8) | data[o + 3]!
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!
      w[t] = (x << 1) | (x >>> 31)
    }
    const h = this.#h
    let a = h[0]!
    let b = h[1]!
    let c = h[2]!
    let d = h[3]!
    let e = h[4]!
    for (let t = 0; t < 80; t++) {
      let f: number
      let k: number
      if (t < 20) {
        f = (b & c) | (~b & d)
        k = 0x5a827999
      } else if (t < 40) {
        f = b ^ c ^ d
        k = 0x6ed9eba1
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d)
        k = 0x8f1bbcdc
      } else {
        f = b ^ c ^ d
        k = 0xca62c1d6
      }
      const temp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]!) | 0
      e = d
      d = c
      c = (b << 30) | (b >>> 2)
      b = a
      a = temp
    }
    h[0] = (h[0]! + a) | 0
    h[1] = (h[1]! + b) | 0
    h[2] = (h[2]! + c) | 0
    h[3] = (h[3]! + d) | 0
    h[4] = (h[4]! + e) | 0
  }
}
