/**
 * HTTP Digest at the codec level, shared by SIP (RFC 3261 §22) and MSRP relay AUTH (RFC 4976 §5):
 * the auth-param codec, challenges, the hash arithmetic, and the credentials that answer them.
 * The SIP client and server (src/sip/digest*.ts) and MSRP's relay AUTH (src/msrp/digest.ts) build on it.
 */
export {
  type AuthParams, type AuthParseErrorSpec, type AuthParamKind, MAX_AUTH_HEADER_LENGTH,
  parseAuthHeader, quoteAuthValue, formatAuthHeader,
} from './auth-params.ts'
export { type DigestChallenge, readDigestChallenge, parseDigestChallenges } from './challenge.ts'
export {
  type DigestAlgorithm, type DigestResponseInput, DIGEST_ALGORITHMS,
  canonicalAlgorithm, algorithmStrength, digestHash, digestHa1, computeDigestResponse,
} from './algorithm.ts'
export { type DigestCredentialsInput, formatDigestCredentials } from './credentials.ts'
