package userpool

import (
	"crypto/subtle"
	"strconv"
	"time"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// App-client secrets, as Cognito has them for rotation: a confidential app
// client holds one or two secrets, and every check of a client secret
// (SECRET_HASH, the ClientSecret of RevokeToken and
// GetTokensFromRefreshToken, the hosted UI's client authentication)
// accepts either. AddUserPoolClientSecret adds the second, given or
// generated; DeleteUserPoolClientSecret removes one but never the last.
// The oldest secret is the client's primary one, the ClientSecret that
// DescribeUserPoolClient shows.

// maxClientSecrets is how many secrets an app client holds at once.
const maxClientSecrets = 2

// clientSecret is one secret of an app client.
type clientSecret struct {
	ID      string    `json:"id"` // "<client ID>--<creation, epoch milliseconds>"
	Value   string    `json:"value"`
	Created time.Time `json:"created"`
}

// clientSecrets returns cl's secrets, oldest first. A client that never
// had a second secret keeps only client.Secret; it is listed as one secret
// created with the client.
func clientSecrets(cl *client) []clientSecret {
	if len(cl.Secrets) > 0 {
		return cl.Secrets
	}
	if cl.Secret == "" {
		return nil
	}
	return []clientSecret{{ID: secretID(cl.ID, cl.Created), Value: cl.Secret, Created: cl.Created}}
}

func secretID(clientID string, created time.Time) string {
	return clientID + "--" + strconv.FormatInt(created.UnixMilli(), 10)
}

// matchSecret reports whether given is one of cl's secrets, comparing it
// with each of them in constant time.
func matchSecret(cl *client, given string) bool {
	ok := 0
	for _, sc := range clientSecrets(cl) {
		ok |= subtle.ConstantTimeCompare([]byte(sc.Value), []byte(given))
	}
	return ok == 1 && given != ""
}

// matchSecretHash reports whether given is the SECRET_HASH of username
// under one of cl's secrets, comparing it with each in constant time.
func matchSecretHash(cl *client, username, given string) bool {
	ok := 0
	for _, sc := range clientSecrets(cl) {
		ok |= subtle.ConstantTimeCompare([]byte(srp.SecretHash(username, cl.ID, sc.Value)), []byte(given))
	}
	return ok == 1 && given != ""
}

type clientSecretInput struct {
	UserPoolId     string `json:"UserPoolId"`
	ClientId       string `json:"ClientId"`
	ClientSecret   string `json:"ClientSecret"`
	ClientSecretId string `json:"ClientSecretId"`
	NextToken      string `json:"NextToken"`
}

func (in *clientSecretInput) poolID() string { return in.UserPoolId }

// secretClient decodes a client-secret input and finds its app client.
func (s *Server) secretClient(c *call, in *clientSecretInput) (*client, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, err
	}
	return s.client(p, in.ClientId)
}

func secretDescriptor(sc clientSecret) map[string]any {
	return map[string]any{"ClientSecretId": sc.ID, "ClientSecretCreateDate": ep(sc.Created)}
}

func opAddUserPoolClientSecret(s *Server, c *call) (any, error) {
	var in clientSecretInput
	cl, err := s.secretClient(c, &in)
	if err != nil {
		return nil, err
	}
	list := clientSecrets(cl)
	if len(list) == 0 {
		return nil, errInvalidParam("Client %s is not configured with a client secret.", cl.ID)
	}
	if len(list) >= maxClientSecrets {
		return nil, errorf("LimitExceededException", "Client %s already has the maximum number of client secrets (%d).", cl.ID, maxClientSecrets)
	}
	value, generated := in.ClientSecret, in.ClientSecret == ""
	if generated {
		value = s.randString(51, "abcdefghijklmnopqrstuvwxyz0123456789")
	} else if matchSecret(cl, value) {
		return nil, errInvalidParam("The client secret is already a secret of client %s.", cl.ID)
	}
	created := c.now
	for _, sc := range list {
		if sc.ID == secretID(cl.ID, created) {
			created = created.Add(time.Millisecond) // two secrets in one millisecond
		}
	}
	sc := clientSecret{ID: secretID(cl.ID, created), Value: value, Created: created}
	cl.Secrets = append(append([]clientSecret(nil), list...), sc)
	cl.Secret = cl.Secrets[0].Value
	d := secretDescriptor(sc)
	if generated {
		d["ClientSecretValue"] = value
	}
	return map[string]any{"ClientSecretDescriptor": d}, nil
}

func opListUserPoolClientSecrets(s *Server, c *call) (any, error) {
	var in clientSecretInput
	cl, err := s.secretClient(c, &in)
	if err != nil {
		return nil, err
	}
	if in.NextToken != "" {
		return nil, errInvalidParam("Invalid pagination token") // every secret fits on the first page
	}
	out := []any{}
	for _, sc := range clientSecrets(cl) {
		out = append(out, secretDescriptor(sc))
	}
	return map[string]any{"ClientSecrets": out}, nil
}

func opDeleteUserPoolClientSecret(s *Server, c *call) (any, error) {
	var in clientSecretInput
	cl, err := s.secretClient(c, &in)
	if err != nil {
		return nil, err
	}
	if err := required("clientSecretId", in.ClientSecretId); err != nil {
		return nil, err
	}
	list := clientSecrets(cl)
	i := -1
	for j, sc := range list {
		if sc.ID == in.ClientSecretId {
			i = j
		}
	}
	if i < 0 {
		return nil, errorf("ResourceNotFoundException", "Client secret %s does not exist.", in.ClientSecretId)
	}
	if len(list) == 1 {
		return nil, errInvalidParam("Client secret %s is the last secret of client %s and cannot be deleted.", in.ClientSecretId, cl.ID)
	}
	rest := append(append([]clientSecret(nil), list[:i]...), list[i+1:]...)
	cl.Secrets, cl.Secret = rest, rest[0].Value
	return map[string]any{}, nil
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"AddUserPoolClientSecret":    {fn: opAddUserPoolClientSecret},
		"ListUserPoolClientSecrets":  {fn: opListUserPoolClientSecrets, readOnly: true},
		"DeleteUserPoolClientSecret": {fn: opDeleteUserPoolClientSecret},
	})
}
