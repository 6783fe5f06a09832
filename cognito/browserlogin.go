package cognito

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// NewSession returns a Session over hosted-UI tokens (from Exchange or
// LoginWithBrowser): it refreshes them through the token endpoint
// (grant_type=refresh_token), ahead of expiry and once for all callers,
// exactly like a Client's Session.
func (h *HostedUI) NewSession(t *Tokens, optFns ...func(*SessionOptions)) *Session {
	refresh := func(ctx context.Context, cur *Tokens) (*Tokens, error) {
		nt, err := h.Refresh(ctx, cur.RefreshToken)
		if err != nil {
			return nil, err
		}
		if nt.Username == "" {
			nt.Username = cur.Username
		}
		return nt, nil
	}
	return newSession(t, refresh, h.clock, h.storeKey(), optFns)
}

// RestoreSession returns the hosted-UI Session stored in store by an
// earlier LoginWithBrowser (or Session.Save), or an error wrapping
// ErrNoStoredTokens.
func (h *HostedUI) RestoreSession(ctx context.Context, store TokenStore, optFns ...func(*SessionOptions)) (*Session, error) {
	return restoreSession(ctx, store, h.storeKey(), optFns, func(t *Tokens, fns []func(*SessionOptions)) *Session {
		return h.NewSession(t, fns...)
	})
}

// RedirectURI returns the redirect (callback) URI the HostedUI was made
// with.
func (h *HostedUI) RedirectURI() string { return h.redirectURI }

// storeKey is the TokenStore key of the hosted UI's app client.
func (h *HostedUI) storeKey() string { return TokenStoreKey(h.domain, h.clientID) }

// BrowserLoginOptions configure LoginWithBrowser.
type BrowserLoginOptions struct {
	// Authorize holds the identity provider, scopes, prompt… of the sign-in
	// (State and CodeChallenge are made by LoginWithBrowser).
	Authorize AuthorizeOptions
	// OpenBrowser opens a URL in the user's browser. Default: the system's
	// opener (xdg-open, open, or rundll32 url.dll). When it fails, or is
	// set to a function returning an error, the URL is printed to Prompt
	// for the user to open.
	OpenBrowser func(url string) error
	// Prompt receives the line telling the user what is happening (and the
	// URL when the browser cannot be opened). Default os.Stderr; io.Discard
	// silences it.
	Prompt io.Writer
	// SuccessHTML is the page shown in the browser after the sign-in.
	// Default: a small "you can close this tab" page.
	SuccessHTML string
}

// ErrBrowserLogin is wrapped by LoginWithBrowser's own failures: a
// redirect URI it cannot listen on, a callback with a wrong state.
var ErrBrowserLogin = errors.New("cognito: browser login")

// LoginWithBrowser signs a user in the way `aws sso login` and `gh auth
// login` do, for command-line programs (RFC 8252, OAuth 2.0 for native
// apps): it listens on the HostedUI's redirect URI, which must be an http
// URL on a loopback address with a fixed port registered as one of the app
// client's callback URLs (Cognito matches callback URLs exactly, e.g.
// http://localhost:8765/callback); opens the system browser at the
// authorize URL (any identity provider the hosted UI offers: Google, SAML,
// …); checks the callback's state; exchanges the code with its PKCE
// verifier; and shows a page saying the tab can be closed.
//
// It returns when the sign-in completes, fails (an *OAuthError such as
// ErrAccessDenied when the user cancels) or ctx ends. Keep the tokens with
// NewSession and a TokenStore (FileTokenStore) so the next run restores
// them with RestoreSession.
func (h *HostedUI) LoginWithBrowser(ctx context.Context, optFns ...func(*BrowserLoginOptions)) (*Tokens, error) {
	o := BrowserLoginOptions{Prompt: os.Stderr, OpenBrowser: openBrowser}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Prompt == nil {
		o.Prompt = io.Discard
	}
	ru, err := url.Parse(h.redirectURI)
	if err != nil || ru.Scheme != "http" || !loopback(ru.Hostname()) || ru.Port() == "" {
		return nil, fmt.Errorf("%w: the redirect URI %q must be http on a loopback host with a port (e.g. http://localhost:8765/callback)", ErrBrowserLogin, h.redirectURI)
	}
	pkce, err := NewPKCE()
	if err != nil {
		return nil, err
	}
	state, err := randomState()
	if err != nil {
		return nil, err
	}
	ao := o.Authorize
	ao.State, ao.CodeChallenge = state, pkce.Challenge
	authURL, err := h.AuthorizeURL(ao)
	if err != nil {
		return nil, err
	}
	host := ru.Hostname()
	if host == "localhost" {
		host = "127.0.0.1" // never a non-loopback interface
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, ru.Port()))
	if err != nil {
		return nil, fmt.Errorf("%w: listen on %s: %w", ErrBrowserLogin, ru.Host, err)
	}

	type result struct {
		t   *Tokens
		err error
	}
	done := make(chan result, 1)
	finish := func(r result) {
		select {
		case done <- r:
		default:
		}
	}
	path := ru.EscapedPath()
	if path == "" {
		path = "/"
	}
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		code, got, cbErr := ParseCallback(r.URL.Query())
		if subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
			// Not our sign-in (a stale tab, or a forged request): refuse it
			// and keep waiting for the real callback.
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, page("Sign-in failed", "This sign-in was not started by this program. Close this tab and try again."))
			return
		}
		if cbErr != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, page("Sign-in failed", cbErr.Error()))
			finish(result{err: cbErr})
			return
		}
		t, err := h.Exchange(r.Context(), code, pkce.Verifier)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, page("Sign-in failed", "The sign-in could not be completed. Return to the program for details."))
			finish(result{err: err})
			return
		}
		if o.SuccessHTML != "" {
			fmt.Fprint(w, o.SuccessHTML)
		} else {
			fmt.Fprint(w, page("Signed in", "You are signed in. You can close this tab and return to the program."))
		}
		finish(result{t: t})
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	if err := o.OpenBrowser(authURL); err != nil {
		fmt.Fprintf(o.Prompt, "Open this URL in your browser to sign in:\n\n  %s\n\n", authURL)
	} else {
		fmt.Fprintf(o.Prompt, "Your browser has been opened to sign in. If it did not open, visit:\n\n  %s\n\n", authURL)
	}
	select {
	case r := <-done:
		return r.t, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: waiting for the sign-in in the browser: %w", ErrBrowserLogin, ctx.Err())
	}
}

func randomState() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cognito: random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func page(title, msg string) string {
	return `<!doctype html><html><head><meta charset="utf-8"><title>` + html.EscapeString(title) +
		`</title></head><body style="font-family:sans-serif;margin:4em auto;max-width:32em"><h1>` +
		html.EscapeString(title) + `</h1><p id="message">` + html.EscapeString(msg) + `</p></body></html>`
}

// openBrowser opens u with the system's URL opener.
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}
