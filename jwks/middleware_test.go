package jwks

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMiddleware(t *testing.T) {
	f := newTokenFixture(t)
	v := f.verifier(t, func(o *Options) { o.TokenUse = TokenUseAny })
	now := time.Now()
	valid := f.k1.mint(accessClaims(now))
	expired := f.k1.mint(with(accessClaims(now), "exp", now.Add(-time.Hour).Unix()))
	idTok := f.k1.mint(idClaims(now))

	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := ClaimsFromContext(r.Context())
		if !ok {
			http.Error(w, "no claims", 500)
			return
		}
		fmt.Fprintf(w, "hello %s", c.Username)
	})
	mw := v.Middleware(func(o *MiddlewareOptions) { o.CookieName = "session" })
	mux := http.NewServeMux()
	mux.Handle("/", mw(hello))
	mux.Handle("/admin", mw(RequireGroups("admin")(hello)))
	mux.Handle("/ops", mw(RequireGroups("ops", "sre")(hello)))
	mux.Handle("/profile", mw(RequireScopes("openid", "profile")(hello)))
	mux.Handle("/email", mw(RequireScopes("email")(hello)))
	mux.Handle("/bare-require", RequireGroups("admin")(hello))

	cases := []struct {
		name, path, auth, cookie string
		status                   int
		challenge, body          string
	}{
		{"valid bearer", "/", "Bearer " + valid, "", 200, "", "hello alice"},
		{"lowercase scheme", "/", "bearer " + valid, "", 200, "", "hello alice"},
		{"valid cookie", "/", "", valid, 200, "", "hello alice"},
		{"no token", "/", "", "", 401, "Bearer", ""},
		{"basic auth", "/", "Basic dXNlcjpwYXNz", "", 401, "Bearer", ""},
		{"empty bearer", "/", "Bearer ", "", 401, "Bearer", ""},
		{"expired", "/", "Bearer " + expired, "", 401, `Bearer error="invalid_token"`, "jwks: token expired\n"},
		{"garbage", "/", "Bearer not.a.jwt", "", 401, `Bearer error="invalid_token"`, ""},
		{"header wins over cookie", "/", "Bearer " + expired, valid, 401, `Bearer error="invalid_token"`, ""},
		{"group present", "/admin", "Bearer " + valid, "", 200, "", "hello alice"},
		{"group missing", "/ops", "Bearer " + valid, "", 403, `Bearer error="insufficient_scope"`, ""},
		{"scopes present", "/profile", "Bearer " + valid, "", 200, "", "hello alice"},
		{"scope missing", "/email", "Bearer " + valid, "", 403, `Bearer error="insufficient_scope"`, ""},
		{"ID token has no scopes", "/profile", "Bearer " + idTok, "", 403, `Bearer error="insufficient_scope"`, ""},
		{"require without middleware", "/bare-require", "Bearer " + valid, "", 401, "Bearer", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tc.path, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "session", Value: tc.cookie})
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.challenge, rec.Header().Get("WWW-Authenticate"))
			body, _ := io.ReadAll(rec.Body)
			if tc.body != "" {
				assert.Equal(t, tc.body, string(body))
			}
			assert.NotContains(t, string(body), valid[:30])
		})
	}
}

func TestMiddlewareStatusesFromVerifierOptions(t *testing.T) {
	f := newTokenFixture(t)
	now := time.Now()
	valid := f.k1.mint(accessClaims(now))
	t.Run("group requirement in options gives 403", func(t *testing.T) {
		v := f.verifier(t, func(o *Options) { o.RequiredGroups = []string{"ops"} })
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+valid)
		v.Middleware(func(o *MiddlewareOptions) { o.Realm = "api" })(http.NotFoundHandler()).ServeHTTP(rec, req)
		assert.Equal(t, 403, rec.Code)
		assert.Equal(t, `Bearer realm="api", error="insufficient_scope"`, rec.Header().Get("WWW-Authenticate"))
	})
	t.Run("JWKS down gives 503", func(t *testing.T) {
		f.srv.set(500, []byte("boom"))
		defer f.srv.set(200, jwksJSON(f.k1.jwk(nil)))
		v := f.verifier(t)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+valid)
		v.Middleware()(http.NotFoundHandler()).ServeHTTP(rec, req)
		assert.Equal(t, 503, rec.Code)
		assert.Empty(t, rec.Header().Get("WWW-Authenticate"))
	})
	t.Run("custom error handler", func(t *testing.T) {
		v := f.verifier(t)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer x.y.z")
		var got error
		v.Middleware(func(o *MiddlewareOptions) {
			o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, status int, err error) {
				got = err
				w.WriteHeader(status + 1)
			}
		})(http.NotFoundHandler()).ServeHTTP(rec, req)
		assert.Equal(t, 402, rec.Code)
		require.ErrorIs(t, got, ErrMalformed)
		assert.False(t, strings.Contains(got.Error(), "x.y.z"))
	})
}
