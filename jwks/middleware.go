package jwks

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// MiddlewareOptions configure [Verifier.Middleware].
type MiddlewareOptions struct {
	// CookieName, if set, is a cookie read for the token when the request
	// has no Authorization header.
	CookieName string
	// Realm, if set, is sent as the realm of WWW-Authenticate challenges.
	Realm string
	// ErrorHandler, if set, writes the response for a refused request
	// instead of the default (401, 403 or 503 with a WWW-Authenticate
	// challenge and a short plain-text body). status is the default code.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, status int, err error)
}

type claimsKey struct{}

// WithClaims returns a copy of ctx carrying c (what the middleware does).
func WithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// ClaimsFromContext returns the claims the middleware verified.
func ClaimsFromContext(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok && c != nil
}

// ErrNoToken is passed to MiddlewareOptions.ErrorHandler when a request
// carries no token.
var ErrNoToken = errors.New("jwks: no bearer token in request")

// Middleware returns net/http middleware that verifies the request's token
// (Authorization: Bearer …, or the named cookie) and puts its claims in the
// request context (read them with [ClaimsFromContext]).
//
// A missing or invalid token gets 401 with WWW-Authenticate: Bearer
// (error="invalid_token" when a token was sent); a failed group or scope
// requirement gets 403 with error="insufficient_scope"; an unreachable JWKS
// gets 503, since the token may well be valid.
func (v *Verifier) Middleware(optFns ...func(*MiddlewareOptions)) func(http.Handler) http.Handler {
	return middleware(v.Verify, WithClaims, optFns)
}

// middleware is the body of [Verifier.Middleware] and
// [OIDCVerifier.Middleware]: verify the request's token, put its claims in
// the context with with.
func middleware[C any](verify func(context.Context, string) (C, error), with func(context.Context, C) context.Context, optFns []func(*MiddlewareOptions)) func(http.Handler) http.Handler {
	var o MiddlewareOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, ok := bearerToken(r, o.CookieName)
			if !ok {
				o.fail(w, r, http.StatusUnauthorized, ErrNoToken)
				return
			}
			c, err := verify(r.Context(), tok)
			if err != nil {
				o.fail(w, r, statusFor(err), err)
				return
			}
			next.ServeHTTP(w, r.WithContext(with(r.Context(), c)))
		})
	}
}

func statusFor(err error) int {
	switch {
	case errors.Is(err, ErrGroups), errors.Is(err, ErrScopes):
		return http.StatusForbidden
	case errors.Is(err, ErrJWKSUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusUnauthorized
}

// bearerToken reads "Authorization: Bearer <token>" (scheme
// case-insensitive, RFC 6750 §2.1), falling back to the cookie.
func bearerToken(r *http.Request, cookie string) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", false
		}
		tok = strings.TrimSpace(tok)
		return tok, tok != ""
	}
	if cookie != "" {
		if ck, err := r.Cookie(cookie); err == nil && ck.Value != "" {
			return ck.Value, true
		}
	}
	return "", false
}

func (o *MiddlewareOptions) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	if o.ErrorHandler != nil {
		o.ErrorHandler(w, r, status, err)
		return
	}
	writeChallenge(w, o.Realm, status, err)
}

func writeChallenge(w http.ResponseWriter, realm string, status int, err error) {
	var params []string
	if realm != "" {
		params = append(params, `realm="`+strings.ReplaceAll(realm, `"`, ``)+`"`)
	}
	switch status {
	case http.StatusUnauthorized:
		if !errors.Is(err, ErrNoToken) {
			params = append(params, `error="invalid_token"`)
		}
	case http.StatusForbidden:
		params = append(params, `error="insufficient_scope"`)
	}
	if status != http.StatusServiceUnavailable {
		ch := "Bearer"
		if len(params) > 0 {
			ch += " " + strings.Join(params, ", ")
		}
		w.Header().Set("WWW-Authenticate", ch)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// The sentinel's text only: details may name claim values.
	msg := http.StatusText(status)
	var ve *ValidationError
	if errors.As(err, &ve) {
		msg = ve.Kind.Error()
	} else if errors.Is(err, ErrNoToken) {
		msg = ErrNoToken.Error()
	}
	_, _ = w.Write([]byte(msg + "\n"))
}

// RequireGroups returns middleware, placed after [Verifier.Middleware], that
// answers 403 unless the verified token is in at least one of groups.
func RequireGroups(groups ...string) func(http.Handler) http.Handler {
	return requireClaims(func(c *Claims) error {
		for _, g := range groups {
			if c.HasGroup(g) {
				return nil
			}
		}
		return verr(ErrGroups, "token is in none of the required groups")
	})
}

// RequireScopes returns middleware, placed after [Verifier.Middleware], that
// answers 403 unless the verified access token holds every one of scopes.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	return requireClaims(func(c *Claims) error {
		for _, s := range scopes {
			if c.TokenUse != TokenUseAccess || !c.HasScope(s) {
				return verr(ErrScopes, "token lacks scope "+quote(s))
			}
		}
		return nil
	})
}

func requireClaims(check func(*Claims) error) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, ok := ClaimsFromContext(r.Context())
			if !ok {
				writeChallenge(w, "", http.StatusUnauthorized, ErrNoToken)
				return
			}
			if err := check(c); err != nil {
				writeChallenge(w, "", http.StatusForbidden, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
