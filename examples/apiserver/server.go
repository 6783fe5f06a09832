package main

import (
	"encoding/json"
	"net/http"

	"github.com/cognitokit/cognitokit/jwks"
)

// NewHandler returns the API: GET /public for anyone, GET /private for any
// caller with a valid access token (Authorization: Bearer …), and GET
// /admin for callers in adminGroup (cognito:groups).
//
// This is the part to copy: one Verifier for the pool, its Middleware
// around the routes that need a token, and jwks.RequireGroups after it
// where a group is needed. The verified claims are in the request context.
func NewHandler(v *jwks.Verifier, adminGroup string) http.Handler {
	auth := v.Middleware() // 401 without a valid token, 503 if the JWKS is unreachable
	mux := http.NewServeMux()
	mux.HandleFunc("GET /public", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"message": "hello, anyone"})
	})
	mux.Handle("GET /private", auth(http.HandlerFunc(hello)))
	mux.Handle("GET /admin", auth(jwks.RequireGroups(adminGroup)(http.HandlerFunc(hello)))) // 403 outside the group
	return mux
}

// hello greets the verified caller.
func hello(w http.ResponseWriter, r *http.Request) {
	c, ok := jwks.ClaimsFromContext(r.Context())
	if !ok { // not reached behind the middleware
		http.Error(w, "no claims", http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{
		"message":  "hello, " + c.Username,
		"path":     r.URL.Path,
		"sub":      c.Subject,
		"groups":   c.Groups,
		"clientId": c.ClientID,
		"expires":  c.ExpiresAt.UTC(),
	})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
