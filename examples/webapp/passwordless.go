package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/websession"
)

// Passwordless sign-in and passkeys, through Cognito's API (USER_AUTH)
// rather than the hosted UI:
//
//   - A signed-in user registers a passkey: the page's script asks
//     POST /passkey/register/options for creation options (the server calls
//     StartWebAuthnRegistration with the user's access token, which needs
//     the aws.cognito.signin.user.admin scope), hands them to
//     navigator.credentials.create and posts the new credential to
//     POST /passkey/register (CompleteWebAuthnRegistration).
//   - "Sign in with a passkey": POST /signin/passkey/options starts
//     USER_AUTH with WEB_AUTHN preferred and answers the request options;
//     the page calls navigator.credentials.get and posts the assertion to
//     POST /signin/passkey, which answers the challenge.
//   - "E-mail me a code": POST /signin/email starts USER_AUTH with
//     EMAIL_OTP and shows a code form that posts to POST /signin/email/code.
//
// Between the two steps of a sign-in the pending challenge (Cognito's
// session string and the client) stays on the server, in a pendingSignIns
// keyed by a random ID in a short-lived HttpOnly cookie; the map is bounded
// in size and age, so a flood of anonymous starts costs a fixed amount of
// memory. The tokens become a websession session with Manager.Establish.
// Every POST goes through sameOriginPosts, so no other site can sign a
// visitor in to an account of its choosing.

const (
	pendingCookie      = "signin_pending"
	pendingSignInTTL   = 3 * time.Minute // Cognito's USER_AUTH session lives 3 minutes
	maxPendingSignIns  = 1000
	maxCredentialBytes = 64 << 10
)

// pendingSignIn is a USER_AUTH sign-in waiting for its answer.
type pendingSignIn struct {
	ch      *cognito.Challenge
	expires time.Time
}

// pendingSignIns holds pending sign-ins by random ID: at most max of them,
// each for ttl. When full, the expired ones go, then the oldest.
type pendingSignIns struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu sync.Mutex
	m  map[string]pendingSignIn
}

func newPendingSignIns(max int, ttl time.Duration, now func() time.Time) *pendingSignIns {
	return &pendingSignIns{max: max, ttl: ttl, now: now, m: map[string]pendingSignIn{}}
}

// put stores ch and returns its new ID.
func (p *pendingSignIns) put(ch *cognito.Challenge) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := base64.RawURLEncoding.EncodeToString(b)
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) >= p.max {
		var oldest string
		var oldestAt time.Time
		for k, v := range p.m {
			if !now.Before(v.expires) {
				delete(p.m, k)
			} else if oldest == "" || v.expires.Before(oldestAt) {
				oldest, oldestAt = k, v.expires
			}
		}
		if len(p.m) >= p.max {
			delete(p.m, oldest)
		}
	}
	p.m[id] = pendingSignIn{ch: ch, expires: now.Add(p.ttl)}
	return id, nil
}

// take removes and returns the live challenge of id (single use).
func (p *pendingSignIns) take(id string) (*cognito.Challenge, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.m[id]
	if !ok {
		return nil, false
	}
	delete(p.m, id)
	if !p.now().Before(v.expires) {
		return nil, false
	}
	return v.ch, true
}

// len is the number of pending sign-ins held.
func (p *pendingSignIns) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.m)
}

func (a *app) setPendingCookie(w http.ResponseWriter, id string, maxAge time.Duration) {
	c := &http.Cookie{Name: pendingCookie, Value: id, Path: "/signin/", HttpOnly: true,
		Secure: strings.HasPrefix(a.cfg.BaseURL, "https://"), SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge / time.Second)}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// startUserAuth starts USER_AUTH for the form's or JSON body's username
// with factor f, keeps the challenge it answers (which must be want) and
// sets the pending cookie.
func (a *app) startUserAuth(w http.ResponseWriter, r *http.Request, username string, f cognito.Factor, want cognito.ChallengeName) (*cognito.Challenge, bool) {
	username = strings.TrimSpace(username)
	if username == "" || len(username) > 128 {
		a.signInError(w, r, http.StatusBadRequest, "Enter your username.")
		return nil, false
	}
	res, err := a.users.SignIn(r.Context(), username, "", func(o *cognito.SignInOptions) {
		o.Flow, o.PreferredFactor = cognito.FlowUserAuth, f
	})
	if err != nil || res.Challenge == nil || res.Challenge.Name != want {
		if err != nil {
			a.log.Info("webapp: USER_AUTH start refused", "factor", f, "err", err)
		}
		a.signInError(w, r, http.StatusUnauthorized, "That sign-in is not available for this user.")
		return nil, false
	}
	id, err := a.pending.put(res.Challenge)
	if err != nil {
		a.signInError(w, r, http.StatusInternalServerError, "Sign-in failed.")
		return nil, false
	}
	a.setPendingCookie(w, id, pendingSignInTTL)
	return res.Challenge, true
}

// takePending returns this browser's pending challenge, clearing its
// cookie; without one it answers that the sign-in has expired.
func (a *app) takePending(w http.ResponseWriter, r *http.Request, want cognito.ChallengeName) (*cognito.Challenge, bool) {
	var ch *cognito.Challenge
	c, err := r.Cookie(pendingCookie)
	ok := err == nil
	if ok {
		a.setPendingCookie(w, "", -1)
		ch, ok = a.pending.take(c.Value)
	}
	if !ok || ch.Name != want {
		a.signInError(w, r, http.StatusBadRequest, "This sign-in has expired. Please start again.")
		return nil, false
	}
	return ch, true
}

// finishSignIn turns the answer's result into a session and returns where
// the browser goes.
func (a *app) finishSignIn(w http.ResponseWriter, r *http.Request, res *cognito.Result, err error) (string, bool) {
	if err != nil || res.Tokens == nil {
		if err != nil {
			a.log.Info("webapp: USER_AUTH answer refused", "err", err)
		} else {
			a.log.Info("webapp: USER_AUTH wants a further challenge this app does not handle", "challenge", res.Challenge.Name)
		}
		a.signInError(w, r, http.StatusUnauthorized, "Sign-in failed. Please start again.")
		return "", false
	}
	dest, err := a.ws.Establish(w, r, res.Tokens, "")
	if err != nil {
		a.log.Error("webapp: starting a session failed", "err", err)
		a.signInError(w, r, http.StatusBadGateway, "Sign-in failed.")
		return "", false
	}
	return dest, true
}

// signInError answers JSON requests with a JSON error and forms with the
// page.
func (a *app) signInError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if wantsJSON(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	a.renderPage(w, r, status, pageData{Error: msg})
}

func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// readBody reads a JSON request body of at most maxCredentialBytes.
func readBody(r *http.Request) ([]byte, error) {
	if !wantsJSON(r) {
		return nil, errors.New("not JSON")
	}
	return io.ReadAll(io.LimitReader(r.Body, maxCredentialBytes))
}

// passkeySignInOptions starts a passkey sign-in: {"username": …} → the
// WebAuthn request options.
func (a *app) passkeySignInOptions(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
	}
	b, err := readBody(r)
	if err != nil || json.Unmarshal(b, &in) != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"username\": …}"})
		return
	}
	ch, ok := a.startUserAuth(w, r, in.Username, cognito.FactorWebAuthn, cognito.ChallengeWebAuthn)
	if !ok {
		return
	}
	if ch.CredentialRequestOptions == nil {
		a.signInError(w, r, http.StatusBadGateway, "Sign-in failed.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(ch.CredentialRequestOptions.JSON())
}

// passkeySignIn answers the pending WEB_AUTHN challenge with the posted
// assertion (AuthenticationResponseJSON) and starts the session.
func (a *app) passkeySignIn(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want the credential's JSON"})
		return
	}
	ch, ok := a.takePending(w, r, cognito.ChallengeWebAuthn)
	if !ok {
		return
	}
	res, err := ch.AnswerWebAuthn(r.Context(), b)
	if dest, ok := a.finishSignIn(w, r, res, err); ok {
		writeJSON(w, http.StatusOK, map[string]string{"redirect": dest})
	}
}

// emailCodeStart has Cognito e-mail a sign-in code and shows the code
// form.
func (a *app) emailCodeStart(w http.ResponseWriter, r *http.Request) {
	ch, ok := a.startUserAuth(w, r, r.PostFormValue("username"), cognito.FactorEmailOTP, cognito.ChallengeEmailOTP)
	if !ok {
		return
	}
	a.renderPage(w, r, http.StatusOK, pageData{CodeSentTo: ch.Destination, CodeForm: true})
}

// emailCode answers the pending EMAIL_OTP challenge with the posted code.
func (a *app) emailCode(w http.ResponseWriter, r *http.Request) {
	code := strings.TrimSpace(r.PostFormValue("code"))
	ch, ok := a.takePending(w, r, cognito.ChallengeEmailOTP)
	if !ok {
		return
	}
	res, err := ch.AnswerEmailOTP(r.Context(), code)
	if dest, ok := a.finishSignIn(w, r, res, err); ok {
		http.Redirect(w, r, dest, http.StatusSeeOther)
	}
}

// accessToken is the signed-in user's current access token.
func accessToken(ctx context.Context) (string, error) {
	s, ok := websession.Session(ctx)
	if !ok {
		return "", errors.New("no session")
	}
	t, err := s.Tokens(ctx)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// passkeyRegisterOptions answers the signed-in user's passkey creation
// options.
func (a *app) passkeyRegisterOptions(w http.ResponseWriter, r *http.Request) {
	at, err := accessToken(r.Context())
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in again"})
		return
	}
	opts, err := a.users.StartPasskeyRegistration(r.Context(), at)
	if err != nil {
		a.log.Warn("webapp: StartWebAuthnRegistration failed", "err", err)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "passkeys are not available"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(opts.JSON())
}

// passkeyRegister completes the registration with the posted credential
// (RegistrationResponseJSON).
func (a *app) passkeyRegister(w http.ResponseWriter, r *http.Request) {
	b, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want the credential's JSON"})
		return
	}
	at, err := accessToken(r.Context())
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in again"})
		return
	}
	if err := a.users.CompletePasskeyRegistration(r.Context(), at, b); err != nil {
		a.log.Info("webapp: CompleteWebAuthnRegistration refused", "err", err)
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the passkey was not accepted"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "registered"})
}

// scriptCSP is the CSP source of the page's one script, passkeyScript,
// inlined at the end of the page (so that it runs as the page is parsed,
// with no extra request) and allowed by its SHA-256 only.
var scriptCSP = func() string {
	sum := sha256.Sum256([]byte(passkeyScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

var _ = template.Must(pageTmpl.New("code").Parse(`{{define "code"}}<div class="card">
<p id="code-sent">We e-mailed a sign-in code to <b>{{.CodeSentTo}}</b>.</p>
<form method="post" action="/signin/email/code"><label>Code <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required></label>
<button class="primary" id="code-submit" type="submit">Sign in</button></form></div>{{end}}`))

// passkeyScript is the page's script: passkey registration and sign-in.
// It uses the WebAuthn Level 3 JSON helpers when the browser has them, and
// converts base64url by hand otherwise.
const passkeyScript = `(function () {
  'use strict';
  const status = document.getElementById('passkey-status');
  const say = (m, state) => { if (status) { status.textContent = m; status.dataset.state = state || 'busy'; } };
  const dec = (s) => {
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) { s += '='; }
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0)).buffer;
  };
  const enc = (buf) => {
    let s = '';
    new Uint8Array(buf).forEach((b) => { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const ids = (l) => (l || []).map((c) => Object.assign({}, c, { id: dec(c.id) }));
  function creationOptions(j) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) { return PublicKeyCredential.parseCreationOptionsFromJSON(j); }
    return Object.assign({}, j, { challenge: dec(j.challenge), user: Object.assign({}, j.user, { id: dec(j.user.id) }), excludeCredentials: ids(j.excludeCredentials) });
  }
  function requestOptions(j) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) { return PublicKeyCredential.parseRequestOptionsFromJSON(j); }
    return Object.assign({}, j, { challenge: dec(j.challenge), allowCredentials: ids(j.allowCredentials) });
  }
  function credentialJSON(c) {
    if (typeof c.toJSON === 'function') { return c.toJSON(); }
    const r = c.response;
    const out = { id: c.id, rawId: enc(c.rawId), type: c.type, authenticatorAttachment: c.authenticatorAttachment,
      clientExtensionResults: c.getClientExtensionResults(), response: { clientDataJSON: enc(r.clientDataJSON) } };
    if (r.attestationObject) {
      out.response.attestationObject = enc(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = enc(r.authenticatorData);
      out.response.signature = enc(r.signature);
      if (r.userHandle) { out.response.userHandle = enc(r.userHandle); }
    }
    return out;
  }
  async function post(url, body) {
    const resp = await fetch(url, { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const v = await resp.json().catch(() => ({}));
    if (!resp.ok) { throw new Error(v.error || resp.statusText); }
    return v;
  }
  const register = document.getElementById('register-passkey');
  if (register) {
    register.addEventListener('click', async () => {
      try {
        say('Creating a passkey…');
        const opts = await post('/passkey/register/options', {});
        const cred = await navigator.credentials.create({ publicKey: creationOptions(opts) });
        await post('/passkey/register', credentialJSON(cred));
        say('Passkey registered.', 'done');
      } catch (e) {
        say('Passkey registration failed: ' + e.message, 'failed');
      }
    });
  }
  const signIn = document.getElementById('sign-in-passkey');
  if (signIn) {
    signIn.addEventListener('click', async () => {
      try {
        say('Waiting for your passkey…');
        const username = document.getElementById('pl-username').value;
        const opts = await post('/signin/passkey/options', { username: username });
        const cred = await navigator.credentials.get({ publicKey: requestOptions(opts) });
        const done = await post('/signin/passkey', credentialJSON(cred));
        window.location.assign(done.redirect);
      } catch (e) {
        say('Passkey sign-in failed: ' + e.message, 'failed');
      }
    });
  }
  document.body.dataset.passkeyReady = '1';
})();
`
