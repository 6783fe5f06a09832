// Package identity trades a Logins map — a Cognito user pool's ID token, a
// Facebook or Google token, an OpenID Connect or SAML login, or a developer
// OpenID token — for temporary AWS credentials through an Amazon Cognito
// identity pool. It is the Go counterpart of aws-sdk-js's
// CognitoIdentityCredentials and fromCognitoIdentityPool.
//
// # Which constructor
//
// For most uses, call NewProvider with a *cognitoidentity.Client (it needs no
// AWS credentials: the calls are unsigned) and a Logins function, and wrap it
// in aws.NewCredentialsCache:
//
//	provider := identity.NewProvider(cognitoidentity.NewFromConfig(cfg), poolID, func(o *identity.Options) {
//		o.Logins = identity.Logins(identity.UserPoolLogin("", userPoolID, session))
//	})
//	cfg.Credentials = aws.NewCredentialsCache(provider)
//
// That is the enhanced flow: GetId, then GetCredentialsForIdentity, for the
// role the pool maps the identity to (Options.CustomRoleARN picks another
// role the pool allows).
//
//   - No Logins (a nil Options.Logins, or a function returning an empty map)
//     is a guest, when the pool allows unauthenticated identities.
//   - NewBasicProvider runs the basic flow: GetId, GetOpenIdToken, then STS
//     AssumeRoleWithWebIdentity of a role you name, with an optional session
//     name, duration and session policy.
//   - NewDeveloperIssuer is the back-end half of developer-authenticated
//     identities (GetOpenIdTokenForDeveloperIdentity, with IAM credentials);
//     NewDeveloperProvider and NewDeveloperBasicProvider are the client half,
//     fed the identity ID and OpenID token by your back end.
//
// # Logins
//
// The Logins function is called on every refresh, so a token source that
// refreshes expired tokens first (a cognito session's IDToken method, through
// UserPoolLogin and the IDTokenSource interface) keeps the credentials
// flowing. Keys: UserPoolKey builds "cognito-idp.{region}.amazonaws.com/{pool}";
// KeyFacebook, KeyGoogle, KeyAmazon, KeyApple, KeyTwitter (value from
// TwitterToken: "token;secret"), KeyDeveloper name the others, OIDCKey derives
// an OpenID Connect provider's key from its issuer, and a SAML provider's key
// is its IAM provider ARN.
//
// # Identity IDs
//
// Identity IDs are kept in an IDStore (a MemoryStore unless Options.Store is
// set; a command-line program that should stay the same identity between
// runs uses DefaultFileStore) under the pool, the login providers in use (not
// their tokens) and Options.User. IdentityID returns the current one. When a stored guest
// identity is refused (NotAuthorized or ResourceNotFound), the provider
// forgets it and retries once with a new identity; for a signed-in user the
// error is returned, since it usually means an expired login token, and the
// identity is kept. The first exchange with Logins after a guest passes the
// guest's identity ID, which links the login to it (Options.DisableGuestLinking
// turns that off); if Cognito refuses, the login's own identity is used.
//
// # Caching
//
// Providers do not cache: like aws-sdk-go-v2's own providers they return
// aws.Credentials with Source, CanExpire and Expires set, and leave caching to
// aws.CredentialsCache, which returns cached credentials without a lock and
// runs one refresh for all callers at expiry (1,000 goroutines, one
// exchange). A cached Retrieve costs about an atomic load and a copy, so
// there is no second cache here (figures in the repository's
// benchmarks/README.md). AWS service clients built from an aws.Config wrap a
// provider in a cache themselves; anything else that calls Retrieve directly
// (a signing RoundTripper, your code) should be given the cache. Set
// CredentialsCacheOptions.ExpiryWindow (e.g. a minute) to refresh before
// requests start failing. A Provider used without a cache is still safe:
// concurrent Retrieve calls run one at a time.
//
// # Errors and secrets
//
// Failed calls are *APIError values carrying AWS's code and message, wrapping
// a sentinel (ErrNotAuthorized, ErrResourceNotFound, …, mapped from
// smithy.APIError codes, never from message text) and the SDK's error. No
// token or key is ever logged, put in an error, or printed by a String
// method.
package identity
