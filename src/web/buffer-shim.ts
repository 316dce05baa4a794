/**
 * The `Buffer` of the page bundle: the codecs still use Node's `Buffer`, which a browser lacks;
 * esbuild injects the `buffer` package's implementation wherever they name it (web-assets.ts).
 *
 * @module
 */
export { Buffer } from 'buffer/'
