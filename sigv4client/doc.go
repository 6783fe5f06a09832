// Package sigv4client signs HTTP requests with AWS Signature Version 4 —
// above all calls to API Gateway routes with AWS_IAM authorization — and
// verifies such signatures on the server side.
//
// # Which to use
//
//   - To call an AWS_IAM-protected API from Go, use NewClient(creds) (or put
//     a *Transport in your own http.Client). creds is any
//     aws.CredentialsProvider: config.LoadDefaultConfig's, or the identity
//     package's for Cognito identity-pool credentials. For
//     https://{api}.execute-api.{region}.amazonaws.com/{stage}/… the region
//     and service are inferred; for custom domains, emulators and other
//     services set Transport.Region (and Service).
//   - With an aws.Config in hand (config.LoadDefaultConfig, or one whose
//     Credentials are an identity provider's cache), NewClientFromConfig(cfg)
//     takes its credentials, its region (where the host names none) and its
//     HTTP client's transport and timeouts.
//   - To open an API Gateway WebSocket API that uses AWS_IAM, presign its
//     wss:// URL with Transport.Presign and dial the result.
//   - To check signatures in your own server (or an emulator), wrap the
//     handler in NewVerifier(region, lookup).Middleware; the caller is in
//     the request context (CallerFromContext). Package iampolicy decides
//     what a verified caller may invoke; its Example_emulatedAPIGateway is
//     the recipe for an emulated API Gateway (verify, then authorize
//     execute-api:Invoke with the caller's role).
//
// # What is signed, and sent
//
// The Transport signs exactly what goes on the wire. It clones the
// request (the caller's is never modified) and:
//
//   - removes the dot segments and empty segments of the path ("/a/./b//c/.."
//     is sent, and signed, as "/a/b/"), as the SigV4 test suite's
//     normalize-path cases require;
//   - signs the path URI-encoded once more than it is sent ("/a%20b" signs
//     as "/a%2520b"), as API Gateway and every AWS service but S3 compute
//     it, and as aws-sdk-go-v2's v4.Signer and botocore do;
//   - re-encodes each query name and value the way it is signed (a space as
//     %20, '+' read as a space as in net/url), keeping their order on the
//     wire and sorting them in the canonical request;
//   - signs every header present except hop-by-hop ones, User-Agent,
//     X-Amzn-Trace-Id, Expect and Content-Length, plus Host (a default port
//     dropped), X-Amz-Date and X-Amz-Security-Token for temporary
//     credentials; a folded header value is unfolded before it is signed
//     and sent; an invalid header name or value is refused;
//   - hashes the body by streaming it when it can be replayed
//     (Request.GetBody, as http.NewRequest sets for bytes, strings and
//     buffers) or rewound (an io.Seeker such as *os.File) — nothing is
//     held in memory — and otherwise buffers it up to MaxBufferedBody
//     (a *BodyTooLargeError above). A caller's X-Amz-Content-Sha256 is
//     signed as given instead (precomputed hashes, UNSIGNED-PAYLOAD).
//
// Every RoundTrip signs afresh, so a client above that retries or follows
// a redirect sends a fresh signature. A 403 saying "Signature expired" or
// "Signature not yet current" teaches the Transport the server's clock
// offset (from its Date header), which it keeps, and the request is retried
// once when its body can be replayed.
//
// # Verification
//
// The Verifier does what API Gateway does for AWS_IAM routes, in order:
// a path in canonical form (see the path rule below), Authorization
// header (or presigned query) present and complete, credential scope
// (day matching the signing date, region, service, aws4_request), signing
// time within ±15 minutes (a presigned URL: not past X-Amz-Expires, at
// most seven days), host signed, the access key and session token
// through a CredentialLookup (token compared in constant time, expiry
// checked), the payload hash (the body, read up to MaxBodyBytes, must hash
// to any X-Amz-Content-Sha256 it declares), and the
// signature recomputed from the request as it arrived on the wire
// (RequestURI, so a router that strips a prefix changes nothing) and
// compared in constant time. Failures are *AuthError values, answered by
// WriteError as API Gateway answers: 403 with X-Amzn-ErrorType and
// {"message": "Missing Authentication Token"}, "The request signature we
// calculated does not match the signature you provided. …", "Signature
// expired: …", "The security token included in the request is invalid." or
// "… is expired" (413 for an oversized body; 400 for a path not in
// canonical form).
//
// # The path rule, for a Verifier in front of your own router
//
// SigV4 signs a path after removing its empty, "." and ".." segments, so
// one signature for GET /test would also hold for /open/x/../../test — and
// a router that does not clean paths would serve that at /open/{proxy+}.
// The Verifier therefore refuses (400, ErrNonCanonicalPath) a request
// whose path as sent has an empty segment ("//"), or a "." or ".." segment,
// literal or percent-encoded ("%2E%2E"); such a path is never what the
// Transport sends. Every request it accepts was signed over exactly the
// path as sent (Caller.Path), which is r.URL.EscapedPath() for the handler
// after it, and r.URL.Path once decoded. So:
//
//   - Route on r.URL.Path (or the escaped form) as it reaches you, behind
//     the Verifier; do not clean or rewrite it after verifying, and do not
//     put the Verifier after a rewrite that changes which handler runs (a
//     StripPrefix is fine: the Verifier reads RequestURI).
//   - r.URL.Path decodes %2F to '/': if your router treats a decoded slash
//     as a separator, authorize on the same decoded path you route on (as
//     the emulator's API Gateway does, which decodes once and ignores one
//     trailing slash, like API Gateway).
//   - A client that signs a normalized path but sends the original
//     (botocore, given "/a/./b") is refused with that message; send the
//     normalized path.
//
// # Conformance
//
// The tests run all 34 cases of the AWS SigV4 test suite through the
// Transport, through the Verifier (the six normalize-path cases refused as
// written, by the path rule, and accepted at their normalized path) and
// over a real connection from one to the other, and check against
// botocore's SigV4Auth and SigV4QueryAuth that both produce and accept the
// same canonical requests, signatures and presigned URLs (except a path
// botocore sends with dot segments, refused by the path rule).
//
// # Performance
//
// Signing costs less than aws-sdk-go-v2's own v4.Signer, a body is hashed
// at the speed of a bare SHA-256 without being held in memory, and
// verification costs a few microseconds. Figures, and the commands that
// rerun them, are in the repository's benchmarks/README.md.
//
// # Errors
//
// Every error wraps a sentinel for errors.Is: ErrNoCredentials,
// ErrNoRegion, ErrBodyTooLarge (*BodyTooLargeError), ErrBodyLength and
// ErrInvalidRequest (*QueryError) when signing; ErrMissingAuthentication,
// ErrIncompleteSignature, ErrInvalidScope, ErrSignatureExpired,
// ErrSignatureNotYetCurrent, ErrInvalidToken, ErrExpiredToken,
// ErrSignatureMismatch, ErrNonCanonicalPath and ErrRequestTooLarge (all
// *AuthError) when verifying. No error, log or String carries a secret
// key or token.
package sigv4client
