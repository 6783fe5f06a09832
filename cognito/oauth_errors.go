package cognito

import (
	"errors"
	"fmt"
)

// Sentinel errors for the OAuth 2.0 error codes of the hosted UI's
// endpoints (RFC 6749 section 5.2, RFC 7009, RFC 6750). Every error answer
// of an endpoint is an *OAuthError whose Is method matches the sentinel of
// its code:
//
//	if errors.Is(err, cognito.ErrInvalidGrant) { /* code reused, expired, wrong verifier */ }
var (
	// ErrInvalidGrant is invalid_grant: the code or refresh token is
	// unknown, used, expired or revoked, was issued to another client or
	// redirect URI, or the PKCE verifier is wrong.
	ErrInvalidGrant = errors.New("cognito: oauth invalid_grant")
	// ErrInvalidClient is invalid_client: unknown client, or a wrong or
	// missing client secret.
	ErrInvalidClient = errors.New("cognito: oauth invalid_client")
	// ErrUnauthorizedClient is unauthorized_client: the app client is not
	// allowed the grant (OAuth flows of the app client).
	ErrUnauthorizedClient = errors.New("cognito: oauth unauthorized_client")
	// ErrInvalidRequest is invalid_request: a parameter is missing or
	// malformed.
	ErrInvalidRequest = errors.New("cognito: oauth invalid_request")
	// ErrInvalidScope is invalid_scope: a scope the app client may not ask
	// for.
	ErrInvalidScope = errors.New("cognito: oauth invalid_scope")
	// ErrUnsupportedGrantType is unsupported_grant_type.
	ErrUnsupportedGrantType = errors.New("cognito: oauth unsupported_grant_type")
	// ErrInvalidToken is invalid_token (userInfo): the access token is
	// malformed, expired or revoked, or lacks the openid scope.
	ErrInvalidToken = errors.New("cognito: oauth invalid_token")
	// ErrAccessDenied is access_denied: the user or the identity provider
	// refused the sign-in (reported on the redirect URI).
	ErrAccessDenied = errors.New("cognito: oauth access_denied")
	// ErrUnsupportedResponseType is unsupported_response_type.
	ErrUnsupportedResponseType = errors.New("cognito: oauth unsupported_response_type")
	// ErrOAuthServer is server_error or temporarily_unavailable, or an
	// endpoint answer that is not OAuth JSON at all.
	ErrOAuthServer = errors.New("cognito: oauth server error")
)

var oauthSentinels = map[string]error{
	"invalid_grant":             ErrInvalidGrant,
	"invalid_client":            ErrInvalidClient,
	"unauthorized_client":       ErrUnauthorizedClient,
	"invalid_request":           ErrInvalidRequest,
	"invalid_scope":             ErrInvalidScope,
	"unsupported_grant_type":    ErrUnsupportedGrantType,
	"invalid_token":             ErrInvalidToken,
	"access_denied":             ErrAccessDenied,
	"unsupported_response_type": ErrUnsupportedResponseType,
	"unsupported_token_type":    ErrUnsupportedTokenType,
	"server_error":              ErrOAuthServer,
	"temporarily_unavailable":   ErrOAuthServer,
}

// OAuthError is an error answer of a hosted-UI endpoint (token, userInfo,
// revoke) or an error reported on the redirect URI. errors.Is matches it
// against the sentinel of its Code (ErrInvalidGrant, ErrInvalidClient, …);
// a code without a sentinel matches nothing but is still an *OAuthError.
// Neither its fields nor its text ever contain a code, token or secret.
type OAuthError struct {
	// Endpoint is "token", "userInfo", "revoke" or "authorize".
	Endpoint string
	// StatusCode is the HTTP status (0 for an error on the redirect URI).
	StatusCode int
	// Code is the OAuth error code, e.g. "invalid_grant".
	Code string
	// Description is error_description, when the server sent one.
	Description string
}

// Error returns "cognito: oauth Endpoint: Code: Description".
func (e *OAuthError) Error() string {
	s := fmt.Sprintf("cognito: oauth %s: %s", e.Endpoint, e.Code)
	if e.StatusCode != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// Is reports whether target is the sentinel of e's code.
func (e *OAuthError) Is(target error) bool {
	s, ok := oauthSentinels[e.Code]
	if !ok && e.Code == "" {
		s = ErrOAuthServer
	}
	return s != nil && s == target
}
