package sigv4client

import (
	"errors"
	"fmt"
)

// Errors of the signing side (Transport, Presign). Each error the package
// returns wraps one of them, so callers branch with errors.Is.
var (
	// ErrNoCredentials: the Transport has no CredentialsProvider.
	ErrNoCredentials = errors.New("sigv4client: no credentials provider")
	// ErrNoRegion: no region was set and none can be inferred from the host.
	ErrNoRegion = errors.New("sigv4client: no region set and none inferable from the host")
	// ErrBodyTooLarge: a body that cannot be replayed is larger than the
	// buffering limit. The error is a *BodyTooLargeError.
	ErrBodyTooLarge = errors.New("sigv4client: request body too large to buffer for signing")
	// ErrBodyLength: a body's length differs from Request.ContentLength.
	ErrBodyLength = errors.New("sigv4client: request body length differs from ContentLength")
	// ErrInvalidRequest: the request cannot be signed as it is (a malformed
	// query escape, an unsupported URL scheme, a bad expiry...).
	ErrInvalidRequest = errors.New("sigv4client: invalid request")
)

// BodyTooLargeError is returned when a body that can be neither replayed
// (no GetBody) nor rewound (not an io.Seeker) exceeds Transport.MaxBufferedBody.
// It matches ErrBodyTooLarge.
type BodyTooLargeError struct {
	// Limit is the buffering limit in bytes that was exceeded.
	Limit int64
}

// Error says what the limit was and how to avoid buffering.
func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("sigv4client: request body exceeds the %d-byte buffering limit and cannot be replayed (set Request.GetBody, pass an io.Seeker, or raise Transport.MaxBufferedBody)", e.Limit)
}

// Is reports whether target is ErrBodyTooLarge.
func (e *BodyTooLargeError) Is(target error) bool { return target == ErrBodyTooLarge }

// QueryError reports a malformed percent-escape in a query string. It
// matches ErrInvalidRequest.
type QueryError struct {
	// Escape is the malformed escape, e.g. "%G1" or "%4".
	Escape string
}

// Error names the malformed escape.
func (e *QueryError) Error() string {
	return fmt.Sprintf("sigv4client: malformed escape %q in query string", e.Escape)
}

// Is reports whether target is ErrInvalidRequest.
func (e *QueryError) Is(target error) bool { return target == ErrInvalidRequest }

// Errors of the verifying side. Every error Verifier.Verify returns is an
// *AuthError that matches one of these with errors.Is.
var (
	// ErrMissingAuthentication: no Authorization header and no presigned
	// query ("Missing Authentication Token").
	ErrMissingAuthentication = errors.New("sigv4client: missing authentication")
	// ErrIncompleteSignature: an Authorization header or presigned query
	// that lacks a part or is malformed.
	ErrIncompleteSignature = errors.New("sigv4client: incomplete signature")
	// ErrInvalidScope: the credential scope names another day, region,
	// service or terminator.
	ErrInvalidScope = errors.New("sigv4client: invalid credential scope")
	// ErrSignatureExpired: the signing time is more than the allowed skew in
	// the past, or a presigned URL has expired.
	ErrSignatureExpired = errors.New("sigv4client: signature expired")
	// ErrSignatureNotYetCurrent: the signing time is more than the allowed
	// skew in the future.
	ErrSignatureNotYetCurrent = errors.New("sigv4client: signature not yet current")
	// ErrInvalidToken: an unknown access key, or a session token missing,
	// unexpected or wrong.
	ErrInvalidToken = errors.New("sigv4client: invalid security token")
	// ErrExpiredToken: the credentials have expired.
	ErrExpiredToken = errors.New("sigv4client: expired security token")
	// ErrSignatureMismatch: the signature is not the one the request's
	// canonical form and the secret give, or the body does not hash to the
	// declared X-Amz-Content-Sha256.
	ErrSignatureMismatch = errors.New("sigv4client: signature mismatch")
	// ErrRequestTooLarge: the body exceeds VerifierOptions.MaxBodyBytes.
	ErrRequestTooLarge = errors.New("sigv4client: request body too large")
)

// AuthError is a verification failure with what API Gateway answers for it:
// the HTTP status (403, or 413 for an oversized body), the error type it
// sends in X-Amzn-ErrorType, and the message of its JSON body
// {"message": …}. It matches its sentinel with errors.Is.
type AuthError struct {
	// Status is the HTTP status to answer (http.StatusForbidden mostly).
	Status int
	// Type is API Gateway's error type, e.g. "InvalidSignatureException".
	Type string
	// Message is the text of the JSON body's "message".
	Message string

	kind error
}

// Error is the message, package-prefixed.
func (e *AuthError) Error() string { return "sigv4client: " + e.Message }

// Unwrap returns the sentinel error the failure matches.
func (e *AuthError) Unwrap() error { return e.kind }
