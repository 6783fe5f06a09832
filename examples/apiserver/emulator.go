package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/jwks"
)

// Emulator is an in-process Cognito emulator with a user pool, an app
// client, a group and two users: alice in the group, bob not.
type Emulator struct {
	Server   *cognitotest.Server
	PoolID   string
	ClientID string
	Group    string
	// Password is the (random) password of both users.
	Password string
}

// StartEmulator starts the emulator and creates the pool, client, group
// and users.
func StartEmulator(group string) (*Emulator, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	e := &Emulator{Server: cognitotest.NewServer(), Group: group, Password: "Api-" + hex.EncodeToString(b) + "!9z"}
	if err := e.setup(); err != nil {
		e.Server.Close()
		return nil, fmt.Errorf("setting up the emulator: %w", err)
	}
	return e, nil
}

func (e *Emulator) setup() error {
	s := e.Server
	pool, err := s.CreateUserPool(cognitotest.PoolOptions{Name: "apiserver"})
	if err != nil {
		return err
	}
	app, err := s.CreateUserPoolClient(pool, cognitotest.ClientOptions{Name: "apiserver-app"})
	if err != nil {
		return err
	}
	e.PoolID, e.ClientID = pool, app.ID
	for _, u := range []string{"alice", "bob"} {
		if _, err := s.CreateUser(pool, u, e.Password, map[string]string{"email": u + "@example.com"}); err != nil {
			return err
		}
	}
	s.MustCreateGroup(pool, e.Group, "", 1)
	s.MustAddUserToGroup(pool, "alice", e.Group)
	return nil
}

// Close stops the emulator.
func (e *Emulator) Close() { e.Server.Close() }

// Verifier returns a verifier of the pool's access tokens: the emulator's
// issuer (its URL + "/" + pool ID) and JWKS address replace Cognito's.
func (e *Emulator) Verifier() (*jwks.Verifier, error) {
	return jwks.NewMultiPoolVerifier([]jwks.Pool{{
		UserPoolID: e.PoolID,
		Issuers:    []string{e.Server.Issuer(e.PoolID)},
		JWKSURL:    e.Server.JWKSURL(e.PoolID),
	}}, func(o *jwks.Options) { o.ClientIDs = []string{e.ClientID} })
}

// Instructions are the commands that sign in and call the API at base.
func (e *Emulator) Instructions(base string) string {
	signin := fmt.Sprintf("go run ./examples/cognitoctl signin -user-pool-id %s -client-id %s -password '%s' -username",
		e.PoolID, e.ClientID, e.Password)
	token := `sed -n 's/.*"AccessToken": "\([^"]*\)".*/\1/p'`
	return fmt.Sprintf(`Tokens come from the in-process Cognito emulator at %[1]s:
  user pool %[2]s, app client %[3]s, users alice (group %[4]s) and bob.

Try it from the repository root in another terminal:
  curl -i %[5]s/public                                          # 200
  curl -i %[5]s/private                                         # 401: no token
  export AWS_ENDPOINT_URL=%[1]s
  TOKEN=$(%[6]s alice | %[7]s)
  curl -i -H "Authorization: Bearer $TOKEN" %[5]s/private       # 200
  curl -i -H "Authorization: Bearer $TOKEN" %[5]s/admin         # 200: alice is in %[4]s
  TOKEN=$(%[6]s bob | %[7]s)
  curl -i -H "Authorization: Bearer $TOKEN" %[5]s/admin         # 403: bob is not

Stop with Ctrl-C.
`, e.Server.URL, e.PoolID, e.ClientID, e.Group, base, signin, token)
}
