package cognito

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"golang.org/x/oauth2"
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

// tokenError maps an error of x/oauth2's token call: an error answer
// (*oauth2.RetrieveError) becomes an *OAuthError, a failed request keeps
// its cause (context.Canceled, …), and anything else — an answer that
// could not be read, is not JSON or has no access_token — wraps
// ErrInvalidResponse. x/oauth2's own text, which may quote the answer's
// body, is not kept.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return errorAnswer("token", status, re.ErrorCode, re.ErrorDescription, re.Body)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return transportError("token", ue)
	}
	return fmt.Errorf("cognito: oauth token: %w: the answer is unreadable, not JSON or without an access_token", ErrInvalidResponse)
}

// transportError is the error of an endpoint call that got no answer,
// without the request URL (kept short) and wrapping the cause.
func transportError(endpoint string, err error) error {
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	return fmt.Errorf("cognito: oauth %s: %w", endpoint, err)
}

// errorAnswer is the *OAuthError of an endpoint's error answer: code and
// description as x/oauth2 read them, or else from the JSON body (which
// x/oauth2 does not read when the answer is labelled text/plain).
func errorAnswer(endpoint string, status int, code, description string, body []byte) *OAuthError {
	if code == "" {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &e)
		code, description = e.Error, e.Description
	}
	return &OAuthError{Endpoint: endpoint, StatusCode: status, Code: code, Description: clip(description)}
}
