package cognitotest

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// state is everything the emulator knows. It is guarded by Server.mu and
// serialised as a whole to Options.StatePath.
type state struct {
	Pools map[string]*pool
}

// stateFile is the on-disk shape of the whole emulator: the user pools,
// and one section per mounted service (see addSection).
type stateFile struct {
	Version  int                        `json:"version"`
	Pools    json.RawMessage            `json:"pools"`
	Sections map[string]json.RawMessage `json:"sections,omitempty"`
}

const stateVersion = 1

// section is a named piece of state kept by a mounted service (identity
// pools, the API gateway, the fake Facebook, ...) under its own lock.
type section struct {
	snapshot func() (any, error)             // a JSON-serialisable copy, taken without s.mu held
	restore  func(raw json.RawMessage) error // called once, at load, before serving
}

// addSection declares a mounted service's persisted state. Call it from a
// mount function (registerMount), before the server serves. snapshot must
// not take s.mu (it runs while other requests hold it); restore receives
// what an earlier snapshot returned.
func (s *Server) addSection(name string, snapshot func() (any, error), restore func(raw json.RawMessage) error) {
	if _, dup := s.sections[name]; dup {
		panic("cognitotest: state section added twice: " + name)
	}
	s.sections[name] = section{snapshot, restore}
}

func newState() *state {
	return &state{Pools: map[string]*pool{}}
}

type pool struct {
	ID                     string            `json:"id"`
	Name                   string            `json:"name"`
	Created                time.Time         `json:"created"`
	Modified               time.Time         `json:"modified"`
	UsernameAttributes     []string          `json:"usernameAttributes,omitempty"`
	AliasAttributes        []string          `json:"aliasAttributes,omitempty"`
	AutoVerifiedAttributes []string          `json:"autoVerifiedAttributes,omitempty"`
	CaseSensitive          bool              `json:"caseSensitive"`
	Schema                 []schemaAttribute `json:"schema"`
	Policy                 passwordPolicy    `json:"policy"`
	MFA                    string            `json:"mfa"`
	AdminCreateOnly        bool              `json:"adminCreateOnly,omitempty"`
	DeletionProtection     string            `json:"deletionProtection,omitempty"`
	DeviceChallengeNew     bool              `json:"deviceChallengeNew,omitempty"`
	DeviceOnPrompt         bool              `json:"deviceOnPrompt,omitempty"`
	DeviceTracking         bool              `json:"deviceTracking,omitempty"`
	Tags                   map[string]string `json:"tags,omitempty"`

	Clients map[string]*client `json:"clients"`
	Users   map[string]*user   `json:"users"` // by username (lower-cased unless CaseSensitive)
	Groups  map[string]*group  `json:"groups"`

	// KeyDER is the pool's RSA signing key (PKCS#1 DER), created lazily.
	KeyDER []byte          `json:"key,omitempty"`
	Kid    string          `json:"kid,omitempty"`
	rsaKey *rsa.PrivateKey `json:"-"`

	Refresh  map[string]*refreshToken `json:"refresh"`  // by SHA-256 of the token
	Revoked  map[string]time.Time     `json:"revoked"`  // origin_jti -> when it may be forgotten
	Sessions map[string]*authSession  `json:"sessions"` // by session ID
	Messages []Message                `json:"messages"`

	// Hosted holds the hosted UI's state: identity providers, resource
	// servers, authorization codes and sign-in sessions (hostedui.go).
	Hosted *hostedState `json:"hosted,omitempty"`
}

type schemaAttribute struct {
	Name          string `json:"name"`
	Type          string `json:"type"` // String, Number, DateTime, Boolean
	Mutable       bool   `json:"mutable"`
	Required      bool   `json:"required"`
	DeveloperOnly bool   `json:"developerOnly,omitempty"`
	MinLength     string `json:"minLength,omitempty"`
	MaxLength     string `json:"maxLength,omitempty"`
}

type passwordPolicy struct {
	MinimumLength                 int  `json:"minimumLength"`
	RequireUppercase              bool `json:"requireUppercase"`
	RequireLowercase              bool `json:"requireLowercase"`
	RequireNumbers                bool `json:"requireNumbers"`
	RequireSymbols                bool `json:"requireSymbols"`
	TemporaryPasswordValidityDays int  `json:"temporaryPasswordValidityDays"`
}

type client struct {
	ID                    string            `json:"id"`
	Name                  string            `json:"name"`
	Secret                string            `json:"secret,omitempty"`
	Created               time.Time         `json:"created"`
	Modified              time.Time         `json:"modified"`
	ExplicitAuthFlows     []string          `json:"explicitAuthFlows"`
	AccessValidity        int64             `json:"accessValidity"`
	IDValidity            int64             `json:"idValidity"`
	RefreshValidity       int64             `json:"refreshValidity"`
	Units                 tokenValidityUnit `json:"units"`
	ReadAttributes        []string          `json:"readAttributes,omitempty"`
	WriteAttributes       []string          `json:"writeAttributes,omitempty"`
	CallbackURLs          []string          `json:"callbackURLs,omitempty"`
	LogoutURLs            []string          `json:"logoutURLs,omitempty"`
	DefaultRedirectURI    string            `json:"defaultRedirectURI,omitempty"`
	AllowedOAuthFlows     []string          `json:"allowedOAuthFlows,omitempty"`
	AllowedOAuthScopes    []string          `json:"allowedOAuthScopes,omitempty"`
	OAuthEnabled          bool              `json:"oauthEnabled,omitempty"`
	SupportedIdPs         []string          `json:"supportedIdPs,omitempty"`
	PreventUserExistence  string            `json:"preventUserExistence"`
	EnableTokenRevocation bool              `json:"enableTokenRevocation"`
	AuthSessionValidity   int64             `json:"authSessionValidity"` // minutes
}

type tokenValidityUnit struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	IdToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
}

type group struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	RoleArn     string    `json:"roleArn,omitempty"`
	Precedence  *int64    `json:"precedence,omitempty"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
}

type user struct {
	Username string            `json:"username"`
	Sub      string            `json:"sub"`
	Attrs    map[string]string `json:"attrs"`
	Status   string            `json:"status"`
	Enabled  bool              `json:"enabled"`
	Created  time.Time         `json:"created"`
	Modified time.Time         `json:"modified"`
	Groups   []string          `json:"groups,omitempty"`

	// Credentials: an SRP salt and verifier (hex) for the password,
	// realm = pool name, user ID = username. Passwords are never stored.
	Salt      string    `json:"salt,omitempty"`
	Verifier  string    `json:"verifier,omitempty"`
	TempUntil time.Time `json:"tempUntil,omitempty"` // temporary password expiry

	// Lockout after repeated wrong passwords.
	FailedLogins int       `json:"failedLogins,omitempty"`
	LockedUntil  time.Time `json:"lockedUntil,omitempty"`

	// One-time codes by purpose ("signup", "forgot", "verify:email", ...).
	Codes map[string]*otpCode `json:"codes,omitempty"`

	// MFA.
	TOTPSecret      string `json:"totpSecret,omitempty"`
	TOTPPending     string `json:"totpPending,omitempty"`
	TOTPEnabled     bool   `json:"totpEnabled,omitempty"`
	SMSEnabled      bool   `json:"smsEnabled,omitempty"`
	EmailMFAEnabled bool   `json:"emailMfaEnabled,omitempty"`
	PreferredMFA    string `json:"preferredMfa,omitempty"`
	LastTOTPStep    int64  `json:"lastTotpStep,omitempty"`

	Devices map[string]*device `json:"devices,omitempty"`
	// Origins lists the origin_jti of every live sign-in, so that a global
	// sign-out can revoke them all.
	Origins map[string]time.Time `json:"origins,omitempty"`
}

type otpCode struct {
	Code     string    `json:"code"`
	Expires  time.Time `json:"expires"`
	Failures int       `json:"failures"`
}

type device struct {
	Key        string            `json:"key"`
	GroupKey   string            `json:"groupKey"`
	Name       string            `json:"name,omitempty"`
	Salt       string            `json:"salt,omitempty"`     // hex
	Verifier   string            `json:"verifier,omitempty"` // hex
	Confirmed  bool              `json:"confirmed"`
	Remembered string            `json:"remembered,omitempty"`
	Attrs      map[string]string `json:"attrs,omitempty"`
	Created    time.Time         `json:"created"`
	Modified   time.Time         `json:"modified"`
	LastAuth   time.Time         `json:"lastAuth"`
}

type refreshToken struct {
	Username  string    `json:"username"`
	Sub       string    `json:"sub"`
	ClientID  string    `json:"clientId"`
	OriginJTI string    `json:"originJti"`
	AuthTime  int64     `json:"authTime"`
	Expires   time.Time `json:"expires"`
	DeviceKey string    `json:"deviceKey,omitempty"`
	Revoked   bool      `json:"revoked,omitempty"`
	Scope     string    `json:"scope,omitempty"` // OAuth scopes of a hosted-UI sign-in
}

// authSession is one sign-in in progress between InitiateAuth and the
// last RespondToAuthChallenge. Sessions are single-use: each step
// consumes its session and, when a further challenge follows, issues a new
// one.
type authSession struct {
	ID          string            `json:"id"`
	Username    string            `json:"username"`
	Sub         string            `json:"sub"`
	ClientID    string            `json:"clientId"`
	Challenge   string            `json:"challenge"`
	Expires     time.Time         `json:"expires"`
	Admin       bool              `json:"admin,omitempty"`
	SRPB        string            `json:"srpB,omitempty"` // "b:B" in hex: the server's SRP private value and B (a bare "b" from older state files is also read)
	SRPA        string            `json:"srpA,omitempty"`
	SecretBlock string            `json:"secretBlock,omitempty"`
	DeviceKey   string            `json:"deviceKey,omitempty"`
	Code        string            `json:"code,omitempty"` // SMS/e-mail OTP sent for this step
	Fake        bool              `json:"fake,omitempty"` // SRP against an unknown user
	Custom      []customResult    `json:"custom,omitempty"`
	Private     map[string]string `json:"private,omitempty"`
	Meta        string            `json:"meta,omitempty"`
	TOTPOK      bool              `json:"totpOk,omitempty"`
	AuthTime    int64             `json:"authTime,omitempty"`
	Salt        string            `json:"salt,omitempty"` // hex, for the verifier steps
	Failures    int               `json:"failures,omitempty"`
	DeviceDone  bool              `json:"deviceDone,omitempty"`
	CustomFlow  bool              `json:"customFlow,omitempty"` // CUSTOM_AUTH, possibly password first
	// RememberedDevice: the device proven by device SRP is remembered, so
	// MFA is skipped.
	RememberedDevice bool `json:"rememberedDevice,omitempty"`
}

type customResult struct {
	ChallengeName   string `json:"name"`
	ChallengeResult bool   `json:"result"`
	Metadata        string `json:"meta,omitempty"`
}

// ---------------------------------------------------------------------------
// Persistence.

func (s *Server) load(path string) error {
	removeStaleTemps(path)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cognitotest: read state: %w", err)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("cognitotest: parse state file %s: %w", path, err)
	}
	if f.Version != stateVersion {
		return fmt.Errorf("cognitotest: state file %s has version %d, want %d", path, f.Version, stateVersion)
	}
	st := newState()
	if len(f.Pools) > 0 && string(f.Pools) != "null" {
		if err := json.Unmarshal(f.Pools, &st.Pools); err != nil {
			return fmt.Errorf("cognitotest: parse state file %s: %w", path, err)
		}
	}
	if st.Pools == nil {
		st.Pools = map[string]*pool{}
	}
	if err := st.checkEntries(); err != nil {
		return fmt.Errorf("cognitotest: state file %s: %w", path, err)
	}
	for _, p := range st.Pools {
		p.fillMaps()
	}
	for name, raw := range f.Sections {
		sec, ok := s.sections[name]
		if !ok {
			continue // a service this build does not mount
		}
		if err := sec.restore(raw); err != nil {
			return fmt.Errorf("cognitotest: restore state section %q: %w", name, err)
		}
	}
	s.st = st
	return nil
}

// unlockSave releases s.mu after capturing the user pools, then writes the
// whole state to Options.StatePath (user pools and every section)
// atomically: a temporary file in the same directory, fsync, rename, fsync
// of the directory. It returns once a state at least as new as the caller's
// change is on disk. The caller holds s.mu; section snapshots are taken
// after it is released, so services that call back into the server under
// their own locks cannot deadlock with it.
func (s *Server) unlockSave() error {
	if s.opts.StatePath == "" {
		s.mu.Unlock()
		return nil
	}
	s.saveSeq++
	seq := s.saveSeq
	pools, err := json.Marshal(s.st.Pools)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.writeState(seq, pools)
}

// persistNow saves the state; mounted services call it (as their OnChange)
// after a mutation, without holding their own locks.
func (s *Server) persistNow() {
	s.mu.Lock()
	if err := s.unlockSave(); err != nil {
		s.logf("cognitotest: could not persist state: %v", err)
	}
}

func (s *Server) writeState(seq uint64, pools []byte) error {
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	if seq <= s.savedSeq {
		return nil // a later snapshot, which includes this change, is on disk
	}
	f := stateFile{Version: stateVersion, Pools: pools, Sections: map[string]json.RawMessage{}}
	for name, sec := range s.sections {
		v, err := sec.snapshot()
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", name, err)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", name, err)
		}
		f.Sections[name] = raw
	}
	b, err := json.Marshal(&f)
	if err != nil {
		return err
	}
	fsys := s.fs
	if fsys == nil {
		fsys = osFS{}
	}
	if err := writeFileAtomic(fsys, s.opts.StatePath, b); err != nil {
		return err
	}
	s.savedSeq = seq
	return nil
}

// ErrStateEntry is wrapped by the error of a state file holding an entry
// that is null or otherwise unusable (a hand-edited or damaged file).
var ErrStateEntry = errors.New("cognitotest: bad entry in state file")

// checkEntries refuses null entries in the maps of pointers a state file
// holds, naming the first one found.
func (st *state) checkEntries() error {
	if err := firstNil("", "user pool", nilKeys(st.Pools)); err != nil {
		return err
	}
	for _, id := range sortedKeys(st.Pools) {
		p := st.Pools[id]
		in := "user pool " + id + ": "
		for _, c := range []struct {
			what string
			keys []string
		}{{"app client", nilKeys(p.Clients)}, {"user", nilKeys(p.Users)}, {"group", nilKeys(p.Groups)},
			{"refresh token", nilKeys(p.Refresh)}, {"session", nilKeys(p.Sessions)}} {
			if err := firstNil(in, c.what, c.keys); err != nil {
				return err
			}
		}
		for _, k := range sortedKeys(p.Users) {
			u := p.Users[k]
			if err := firstNil(in+"user "+k+": ", "code", nilKeys(u.Codes)); err != nil {
				return err
			}
			if err := firstNil(in+"user "+k+": ", "device", nilKeys(u.Devices)); err != nil {
				return err
			}
		}
		if err := p.Hosted.checkEntries(in); err != nil {
			return err
		}
	}
	return nil
}

// firstNil returns the ErrStateEntry error naming keys[0], or nil.
func firstNil(in, what string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s%s %q is null", ErrStateEntry, in, what, keys[0])
}

// nilKeys returns the sorted keys of m whose value is nil.
func nilKeys[V any](m map[string]*V) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		if m[k] == nil {
			out = append(out, k)
		}
	}
	return out
}

// tempPattern is the name pattern of the temporary files writeFileAtomic
// renames over path.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp-*" }

// removeStaleTemps deletes the temporary files a process killed in the
// middle of a write left next to path (they are never complete states
// that were acknowledged: the rename is what commits a write).
func removeStaleTemps(path string) {
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(path)))
	for _, n := range names {
		_ = os.Remove(n)
	}
}

// stateFS is the file system writeFileAtomic uses; tests replace it to
// observe the write sequence or fail it part way.
type stateFS interface {
	CreateTemp(dir, pattern string) (tempFile, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	SyncDir(dir string) error
}

// tempFile is the part of *os.File writeFileAtomic uses.
type tempFile interface {
	Name() string
	Chmod(mode os.FileMode) error
	Write(b []byte) (int, error)
	Sync() error
	Close() error
}

type osFS struct{}

func (osFS) CreateTemp(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) }
func (osFS) Rename(oldpath, newpath string) error             { return os.Rename(oldpath, newpath) }
func (osFS) Remove(name string) error                         { return os.Remove(name) }
func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func writeFileAtomic(fsys stateFS, path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := fsys.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = fsys.Remove(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return fsys.SyncDir(dir)
}

func (p *pool) fillMaps() {
	if p.Clients == nil {
		p.Clients = map[string]*client{}
	}
	if p.Users == nil {
		p.Users = map[string]*user{}
	}
	if p.Groups == nil {
		p.Groups = map[string]*group{}
	}
	if p.Refresh == nil {
		p.Refresh = map[string]*refreshToken{}
	}
	if p.Revoked == nil {
		p.Revoked = map[string]time.Time{}
	}
	if p.Sessions == nil {
		p.Sessions = map[string]*authSession{}
	}
	for _, u := range p.Users {
		if u.Attrs == nil {
			u.Attrs = map[string]string{}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
