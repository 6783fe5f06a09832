package cognitotest

// Helpers under the names they had before the one naming scheme (X returns
// an error, MustX panics). They stay for one release.

// CreatePool creates a user pool.
//
// Deprecated: use CreateUserPool (or MustCreateUserPool).
func (s *Server) CreatePool(o PoolOptions) (string, error) { return s.CreateUserPool(o) }

// NewClient creates an app client.
//
// Deprecated: use CreateUserPoolClient (or MustCreateUserPoolClient).
func (s *Server) NewClient(poolID string, o ClientOptions) (AppClient, error) {
	return s.CreateUserPoolClient(poolID, o)
}

// CreateClient creates an app client and panics on error.
//
// Deprecated: use MustCreateUserPoolClient (or CreateUserPoolClient).
func (s *Server) CreateClient(poolID string, o ClientOptions) AppClient {
	return s.MustCreateUserPoolClient(poolID, o)
}

// AddUser creates a CONFIRMED user.
//
// Deprecated: use CreateUser (or MustCreateUser).
func (s *Server) AddUser(poolID, username, password string, attrs map[string]string) (string, error) {
	return s.CreateUser(poolID, username, password, attrs)
}

// NewIdentityPool creates an identity pool.
//
// Deprecated: use CreateIdentityPool (or MustCreateIdentityPool).
func (s *Server) NewIdentityPool(o IdentityPoolOptions) (string, error) {
	return s.CreateIdentityPool(o)
}

// CreateAPI declares an API and panics on error.
//
// Deprecated: use MustPutAPI (or PutAPI).
func (s *Server) CreateAPI(a API) { s.MustPutAPI(a) }

// NewFacebookToken mints a fake Facebook access token.
//
// Deprecated: use FacebookToken (or MustFacebookToken).
func (s *Server) NewFacebookToken(appID string, user FacebookUser) (string, error) {
	return s.FacebookToken(appID, user)
}

// AddIdentityProvider adds an identity provider to a pool.
//
// Deprecated: use CreateIdentityProvider (or MustCreateIdentityProvider).
func (s *Server) AddIdentityProvider(poolID string, o IdentityProviderOptions) error {
	return s.CreateIdentityProvider(poolID, o)
}

// AddResourceServer adds a resource server to a pool.
//
// Deprecated: use CreateResourceServer (or MustCreateResourceServer).
func (s *Server) AddResourceServer(poolID string, o ResourceServerOptions) error {
	return s.CreateResourceServer(poolID, o)
}

// must returns v, or panics with err: the body of every MustX.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// mustDo panics with err when it is not nil.
func mustDo(err error) {
	if err != nil {
		panic(err)
	}
}
