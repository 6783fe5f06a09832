package userpool

import "net/http"

// heldLock is s.mu taken by an HTTP handler. The handler defers release
// right after lock, so that a panic that skips its own unlock or save
// cannot leave the server locked.
type heldLock struct {
	s    *Server
	held bool
}

// lock takes s.mu for a handler; defer release on the result.
func (s *Server) lock() *heldLock {
	s.mu.Lock()
	return &heldLock{s: s, held: true}
}

// relock takes s.mu again after unlock or save.
func (l *heldLock) relock() {
	l.s.mu.Lock()
	l.held = true
}

func (l *heldLock) unlock() {
	l.held = false
	l.s.mu.Unlock()
}

// save releases s.mu and persists the state (Server.unlockSave).
func (l *heldLock) save() error {
	l.held = false
	return l.s.unlockSave()
}

// release unlocks s.mu if the handler still holds it.
func (l *heldLock) release() {
	if l.held {
		l.unlock()
	}
}

// hookPanic runs the test-only panic hook at a named point.
func (s *Server) hookPanic(point string) {
	if s.testPanic != nil {
		s.testPanic(point)
	}
}

// SetTestPanic installs a hook, for tests only, that runs at named points
// inside handlers ("op:<Operation>" with the state lock held, and points
// of the hosted UI) to inject a panic. Call it before the server serves.
func (s *Server) SetTestPanic(fn func(point string)) {
	s.mu.Lock()
	s.testPanic = fn
	s.mu.Unlock()
}

// UnlockLeaked releases the state lock that a broken handler leaked, so
// that a failing test can still close the server (tests only).
func (s *Server) UnlockLeaked() { s.mu.Unlock() }

// hostedUIPath reports whether path is a browser page of the hosted UI
// (answered with an HTML error page), and oauthJSONPath one of its JSON
// endpoints (answered with an OAuth error).
func hostedUIPath(path string) bool {
	switch path {
	case "/login", "/logout", "/error", "/oauth2/authorize", "/oauth2/idpresponse", "/saml2/idpresponse":
		return true
	}
	return false
}

func oauthJSONPath(path string) bool {
	return path == "/oauth2/token" || path == "/oauth2/userInfo" || path == "/oauth2/revoke"
}

// answerPanic answers a hosted-UI request whose handler panicked in the
// form its client expects (the host's OnPanic); other requests are left
// to the host.
func answerPanic(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case oauthJSONPath(r.URL.Path):
		writeOAuthError(w, http.StatusInternalServerError, oerr("server_error", "internal error"))
	case hostedUIPath(r.URL.Path):
		renderPage(w, http.StatusInternalServerError, pageData{Title: "An error was encountered with the requested page.", Fatal: "server_error: internal error"})
	default:
		return false
	}
	return true
}
