package userpool

import "github.com/cognitokit/cognitokit/internal/srp"

// Password history (the password policy's PasswordHistorySize, n): a user
// cannot set a password that matches one of the last n, the current one
// included. ChangePassword, ConfirmForgotPassword, AdminSetUserPassword,
// (Admin)RespondToAuthChallenge NEW_PASSWORD_REQUIRED and the hosted UI's
// new-password form answer PasswordHistoryPolicyViolationException. The
// emulator keeps, per user, the SRP salt and verifier of the n-1 passwords
// before the current one (never a password), and checks a new password by
// computing its verifier with each old salt, compared in constant time.
// A pool whose n shrinks drops the oldest at the user's next change; n of
// 0 or unset keeps none.

// passwordEntry is one earlier password of a user: its SRP salt and
// verifier (hex).
type passwordEntry struct {
	Salt     string `json:"salt"`
	Verifier string `json:"verifier"`
}

var errPasswordHistory = &APIError{Code: "PasswordHistoryPolicyViolationException",
	Message: "The password has been used recently and cannot be used again (password history policy)."}

// historySize is the pool's PasswordHistorySize (0 when unset).
func historySize(p *pool) int {
	if h := p.Policy.HistorySize; h != nil && *h > 0 {
		return int(*h)
	}
	return 0
}

// recentPasswords are the passwords of u a new one must not match: the
// current one, then the earlier ones kept, newest first, n in all.
func recentPasswords(p *pool, u *user) []passwordEntry {
	n := historySize(p)
	if n == 0 || u.Verifier == "" {
		return nil
	}
	out := []passwordEntry{{Salt: u.Salt, Verifier: u.Verifier}}
	for i := len(u.PasswordHistory) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, u.PasswordHistory[i])
	}
	return out
}

// reusesPassword reports whether pw is one of recent, comparing with each
// in constant time (all are compared). It reads no state, so it may run
// without s.mu.
func reusesPassword(realm, username, pw string, recent []passwordEntry) bool {
	found := false
	for _, e := range recent {
		if verifierMatches(realm, username, pw, e.Salt, e.Verifier) {
			found = true
		}
	}
	return found
}

// checkHistory refuses pw when it is one of u's recent passwords (s.mu
// held: for the paths that compute the verifier under the lock).
func checkHistory(p *pool, u *user, pw string) error {
	if reusesPassword(srp.PoolName(p.ID), u.Username, pw, recentPasswords(p, u)) {
		return errPasswordHistory
	}
	return nil
}

// storePassword makes (salt, verifier) u's password, keeping the one it
// replaces among the earlier ones the pool's history policy needs.
func storePassword(p *pool, u *user, salt, verifier string) {
	keep := max(historySize(p)-1, 0)
	if keep > 0 && u.Verifier != "" {
		u.PasswordHistory = append(u.PasswordHistory, passwordEntry{Salt: u.Salt, Verifier: u.Verifier})
	}
	if n := len(u.PasswordHistory); n > keep {
		u.PasswordHistory = append([]passwordEntry(nil), u.PasswordHistory[n-keep:]...)
	}
	if len(u.PasswordHistory) == 0 {
		u.PasswordHistory = nil
	}
	u.Salt, u.Verifier = salt, verifier
}
