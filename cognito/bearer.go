package cognito

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/oauth2"
)

// TokenSource returns an oauth2.TokenSource over the session's access
// token, for everything in Go that speaks golang.org/x/oauth2:
// oauth2.NewClient, gRPC's oauth.TokenSource per-RPC credentials, and
// clients that take a TokenSource. Each Token call returns the session's
// current access token, refreshed ahead of expiry through the session (one
// refresh for all callers, see Tokens); the ID token rides along as the
// "id_token" extra. The refresh token is not handed out: the session keeps
// it.
//
// oauth2.TokenSource's Token takes no context; a refresh it starts is
// bounded by SessionOptions.RefreshTimeout.
func (s *Session) TokenSource() oauth2.TokenSource { return sessionTokenSource{s, false} }

// IDTokenSource is TokenSource for APIs that want the ID token as bearer
// token (API Gateway's Cognito user-pool authorizers without OAuth scopes).
func (s *Session) IDTokenSource() oauth2.TokenSource { return sessionTokenSource{s, true} }

type sessionTokenSource struct {
	s  *Session
	id bool
}

var _ oauth2.TokenSource = sessionTokenSource{}

func (ts sessionTokenSource) Token() (*oauth2.Token, error) {
	t, err := ts.s.Tokens(context.Background())
	if err != nil {
		return nil, err
	}
	return oauth2Token(t, ts.id), nil
}

// oauth2Token is t as an oauth2.Token carrying the access token (or, with
// id, the ID token), without the refresh token.
func oauth2Token(t *Tokens, id bool) *oauth2.Token {
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: "Bearer", Expiry: t.Expiry}
	if id {
		tok.AccessToken = t.IDToken
	}
	if t.ExpiresIn > 0 {
		tok.ExpiresIn = int64(t.ExpiresIn.Seconds())
	}
	return tok.WithExtra(map[string]any{"id_token": t.IDToken})
}

// BearerTransport is an http.RoundTripper that sends each request with
// "Authorization: Bearer <token>" from a Session: APIs that take Cognito
// tokens (API Gateway JWT and Cognito authorizers, services behind
// jwks.Verifier.Middleware). Tokens are refreshed ahead of expiry; when the
// server still answers 401 Unauthorized and the request can be sent again
// (no body, or a body with GetBody, as http.NewRequest sets for in-memory
// bodies), the session is refreshed once and the request retried once.
//
// Like oauth2.Transport, it clones the request before setting the header
// and closes the request body on every error path. It is safe for
// concurrent use.
type BearerTransport struct {
	// Session supplies the tokens. Required.
	Session *Session
	// UseIDToken sends the ID token instead of the access token.
	UseIDToken bool
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

var _ http.RoundTripper = (*BearerTransport)(nil)

// Client returns an *http.Client whose requests carry the session's access
// token (see BearerTransport).
func (s *Session) Client() *http.Client {
	return &http.Client{Transport: &BearerTransport{Session: s}}
}

// ErrNoSession is returned by a BearerTransport without a Session.
var ErrNoSession = errors.New("cognito: BearerTransport has no Session")

// RoundTrip implements http.RoundTripper.
func (t *BearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	closeBody := func() {
		if req.Body != nil {
			req.Body.Close()
		}
	}
	if t.Session == nil {
		closeBody()
		return nil, ErrNoSession
	}
	ctx := req.Context()
	tok, err := t.token(ctx)
	if err != nil {
		closeBody()
		return nil, err
	}
	resp, err := t.base().RoundTrip(withBearer(req, tok))
	if err != nil || resp.StatusCode != http.StatusUnauthorized || !replayable(req) {
		return resp, err
	}
	// 401: the token may have been revoked or expired early. Refresh once,
	// unless another request already did, and try again.
	fresh, err := t.refreshedSince(ctx, tok)
	if err != nil || fresh == tok {
		return resp, nil // the server's 401 stands
	}
	retry := withBearer(req, fresh)
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return resp, nil
		}
		retry.Body = body
	}
	drain(resp)
	return t.base().RoundTrip(retry)
}

func (t *BearerTransport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *BearerTransport) pick(tk *Tokens) string {
	if t.UseIDToken {
		return tk.IDToken
	}
	return tk.AccessToken
}

func (t *BearerTransport) token(ctx context.Context) (string, error) {
	tk, err := t.Session.Tokens(ctx)
	if err != nil {
		return "", fmt.Errorf("cognito: bearer token: %w", err)
	}
	return t.pick(tk), nil
}

// refreshedSince returns a token other than used: the session's current
// one when another caller already refreshed, else one from a forced
// refresh (shared with every caller doing the same).
func (t *BearerTransport) refreshedSince(ctx context.Context, used string) (string, error) {
	if cur := t.pick(t.Session.Current()); cur != used {
		return cur, nil
	}
	tk, err := t.Session.Refresh(ctx)
	if err != nil {
		return "", err
	}
	return t.pick(tk), nil
}

// withBearer clones req with the Authorization header set.
func withBearer(req *http.Request, tok string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

// replayable reports whether req can be sent a second time.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// drain reads a little of resp's body and closes it, so that the
// connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
}
