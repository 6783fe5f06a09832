// Package cognitotest is an Amazon Cognito user-pool emulator that checks
// what real Cognito checks, for tests, examples and local development.
//
// For most uses, call NewServer, create a pool, an app client and a user
// with MustCreateUserPool, MustCreateUserPoolClient and MustCreateUser,
// and point any AWS SDK for Go v2 client at it with Config:
//
//	srv := cognitotest.NewServer()
//	defer srv.Close()
//	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
//	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
//	srv.MustCreateUser(pool, "alice", "Passw0rd!", map[string]string{"email": "alice@example.com"})
//	idp := cognitoidentityprovider.NewFromConfig(srv.Config())
//
// # Helpers
//
// Every helper that can fail comes in two forms, as in regexp and
// text/template: X(…) (T, error), named for the AWS operation it stands
// for where there is one (CreateUserPool, CreateUserPoolClient,
// CreateUser, CreateGroup, AddUserToGroup, CreateIdentityProvider,
// CreateResourceServer, CreateIdentityPool, PutRole, PutAPI, PutIAMUser,
// FacebookToken, TOTP, HostedSignIn, HostedFacebookSignIn), and MustX(…) T,
// which panics instead and suits tests and examples. An error the emulated
// service answers is an *APIError carrying Cognito's code and message.
// The names of earlier releases (CreatePool, NewClient, CreateClient,
// AddUser, NewIdentityPool, CreateAPI, NewFacebookToken,
// AddIdentityProvider, AddResourceServer) remain, deprecated, for one
// release.
//
// The same server runs standalone as `cognitoctl serve` (see
// examples/cognitoctl), seeded from a SeedConfig file and persisted to a
// state file.
//
// # What it speaks
//
// One listener serves:
//
//   - cognito-idp's JSON 1.1 protocol: POST / with X-Amz-Target:
//     AWSCognitoIdentityProviderService.<Operation>. The AWS SDK for Go v2,
//     boto3, the AWS CLI and amazon-cognito-identity-js work against it
//     unchanged (all four are exercised by this package's tests). The
//     operations Cognito serves without IAM credentials (SignUp,
//     InitiateAuth, GetUser, ...) need no signature; the others (Admin*,
//     pool and client management, ListUsers) must carry a well-formed
//     SigV4 Authorization header, as AWS SDKs send (credential scope
//     AKID/YYYYMMDD/region/cognito-idp/aws4_request, SignedHeaders with
//     host, a 64-hex-digit Signature, an X-Amz-Date on the scope's date and
//     within 15 minutes of the server's clock), or are refused with
//     MissingAuthenticationTokenException, IncompleteSignatureException or
//     InvalidSignatureException (Options.AllowUnsigned lifts this). The
//     emulator holds no secret keys, so the signature itself is not
//     verified: any access key works.
//   - Browser pages: loopback origins (http://localhost:*,
//     http://127.0.0.1:*, http://[::1]:*) and Options.CORSOrigins get CORS
//     headers and preflights (a fixed list of request headers), so that
//     Amplify or amazon-cognito-identity-js in a dev server works. A page
//     of any other origin gets no CORS headers and is refused (403
//     AccessDeniedException) on POST / and under /_emulator/, so it can
//     neither call an operation nor read the outbox.
//   - GET /{poolId}/.well-known/jwks.json and
//     GET /{poolId}/.well-known/openid-configuration.
//   - GET /_emulator/messages[?poolId=..&username=..]: the outbox, as
//     {"messages": [Message...]}.
//   - The hosted UI (HostedUIURL stands for
//     https://{domain}.auth.{region}.amazoncognito.com): /oauth2/authorize
//     (client, exact callback URL, response_type=code, scopes within the
//     client's AllowedOAuthScopes, PKCE S256 only, identity_provider), the
//     sign-in page at /login (password, lockout, NEW_PASSWORD_REQUIRED,
//     TOTP/SMS/e-mail MFA codes, a CSRF cookie, an hour-long session cookie
//     for single sign-on), federated sign-in (identity_provider or
//     idp_identifier: Facebook, Google, SignInWithApple, LoginWithAmazon,
//     an OIDC provider or a SAML provider) through the fake providers
//     mounted under /_emulator/ — the same ones identity pools check —,
//     their consent pages and /oauth2/idpresponse or /saml2/idpresponse
//     (user <Provider>_<id> with the provider's attribute mapping, the
//     identities claim, group <poolId>_<Provider>; a provider identity
//     linked with AdminLinkProviderForUser signs in as its user;
//     Options.Triggers' PostConfirmation on the first sign-in and
//     PostAuthentication afterwards), /oauth2/token (authorization_code with
//     single-use codes valid five minutes, refresh_token, client_credentials
//     with resource-server scopes), /oauth2/userInfo, /oauth2/revoke and
//     /logout (exact sign-out URL, or back to the sign-in page). Errors are
//     OAuth's JSON {"error": ...}. Set it up with CreateIdentityProvider and
//     CreateResourceServer (or SeedPool's identityProviders and
//     resourceServers); HostedSignIn and HostedFacebookSignIn drive it from
//     Go tests without a browser.
//
// Errors have AWS's shape: HTTP 400, header X-Amzn-ErrorType and body
// {"__type", "message"}, with Cognito's error codes and messages
// (NotAuthorizedException "Incorrect username or password.",
// UserNotFoundException, CodeMismatchException, ...). An operation the
// emulator does not implement answers 400 UnknownOperationException naming
// it, never a 5xx that SDKs would retry.
//
// # Operations
//
// Every operation of both service models answers: the 122 of cognito-idp
// and the 23 of cognito-identity (a test calls each through boto3 and
// checks its answer against the model's output shape). Configuration
// operations store what they are given, validated, and Describe/Get/List
// return it as Cognito does, with a new pool's defaults; the rest behave:
//
//   - pools, clients, groups, users and sign-up, with every sign-in flow of
//     InitiateAuth/AdminInitiateAuth (USER_SRP_AUTH, USER_PASSWORD_AUTH,
//     ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, CUSTOM_AUTH, USER_AUTH)
//     and every challenge of RespondToAuthChallenge (PASSWORD_VERIFIER,
//     NEW_PASSWORD_REQUIRED, SMS_MFA, EMAIL_OTP, SOFTWARE_TOKEN_MFA,
//     SELECT_MFA_TYPE, MFA_SETUP, DEVICE_SRP_AUTH, CUSTOM_CHALLENGE,
//     SELECT_CHALLENGE, WEB_AUTHN), GetTokensFromRefreshToken with rotation,
//     devices, passkeys, TOTP;
//   - Lambda triggers named by LambdaConfig (see RegisterFunction);
//   - client secrets (two valid at once, for rotation), user settings,
//     DeleteUserAttributes, auth events recorded per sign-in (with threat
//     protection on), risk configuration;
//   - domains (the hosted UI answers under
//     <prefix>.auth.<region>.amazoncognito.com and custom domains), identity
//     providers, resource servers, tags, AddCustomAttributes,
//     GetSigningCertificate (a real certificate; SAML requests are signed
//     with its key), UI customization and managed-login branding (applied by
//     the hosted UI), terms, log delivery;
//   - user import jobs: GetCSVHeader, a pre-signed upload URL the server
//     serves, users imported as RESET_REQUIRED;
//   - identity pools with the basic and enhanced flows (the role's trust
//     policy checked), developer identities (merge, unlink), principal-tag
//     maps and tags.
//
// # What it checks
//
//   - SRP: each user has a salt and an SRP verifier (passwords are never
//     stored); InitiateAuth answers a real B; the PASSWORD_CLAIM_SIGNATURE is
//     verified against the SECRET_BLOCK issued for that session and a
//     TIMESTAMP within five minutes of the server clock. Device SRP the same
//     way, against the verifier sent to ConfirmDevice. USER_ID_FOR_SRP is
//     the real username when a user signs in with an alias.
//   - Tokens: RS256, with two RSA-2048 keys generated per pool, one for ID
//     and one for access tokens (kid = RFC 7638 thumbprint), the claims Cognito puts in ID and access tokens, lifetimes
//     from the app client, expiry on the server clock. The issuer (`iss`) is
//     Server.URL + "/" + poolID, e.g. http://127.0.0.1:9229/us-east-1_AbCdEf123.
//     Refresh tokens are opaque strings shaped as Cognito's (five-part
//     JWE), stored hashed.
//   - Every operation that takes an AccessToken verifies its signature,
//     expiry, revocation and the user's existence and status.
//     GlobalSignOut, AdminUserGlobalSignOut, RevokeToken, AdminDisableUser,
//     AdminResetUserPassword and DeleteUser revoke access and refresh tokens.
//   - SECRET_HASH for clients with a secret, ExplicitAuthFlows, the pool's
//     password policy, user status (UNCONFIRMED, CONFIRMED,
//     FORCE_CHANGE_PASSWORD with expiring temporary passwords,
//     RESET_REQUIRED), disabled users, alias and username-attribute
//     sign-in, single-use sessions that expire (AuthSessionValidity, default
//     3 minutes; a session survives up to two wrong MFA codes), RFC 6238 TOTP
//     with a secret per user and no reuse of a time step, one-time codes that
//     expire and burn after five wrong tries, and a temporary lockout after
//     five consecutive wrong passwords (one second, doubling, up to 15
//     minutes; "Password attempts exceeded").
//   - PreventUserExistenceErrors: an unknown user gets the same answers as a
//     wrong password, including a plausible SRP challenge.
//   - Identity pools verify every login of Logins with its provider, for the
//     client or app the pool trusts: user-pool ID tokens, the fake
//     Facebook's tokens, Google and Apple ID tokens (GoogleToken,
//     AppleToken), Login with Amazon access tokens (PutAmazonClient,
//     AmazonToken), Twitter token pairs (PutTwitterApp, TwitterLogin), and
//     the ID tokens and assertions of the OpenID Connect and SAML providers
//     the pool lists by ARN (CreateOIDCProvider, OIDCToken,
//     CreateSAMLProvider, SAMLAssertion); a forged, expired,
//     wrong-audience or untrusted login gets Cognito's
//     NotAuthorizedException. RoleMappings (Token with
//     cognito:preferred_role or a SAML Role attribute, Rules on the token's
//     claims, AmbiguousRoleResolution) decide an identity's role, and the
//     OpenID tokens' key is served at IdentityPoolJWKSURL.
//
// CUSTOM_AUTH runs the Define/Create/Verify auth challenge functions the
// pool's LambdaConfig names (see RegisterFunction), or, in a pool without
// them, the Go functions of Options.CustomAuth in their place, through the
// same trigger mechanism.
//
// # Time, randomness, persistence
//
// Options.Clock and Options.Rand make the server deterministic where tests
// need it; Advance moves the clock. Options.StatePath keeps every service's
// state in an embedded database, each entity (a user, a refresh token, an
// app client's pool) under its own key: a mutating request commits what it
// changed, fsynced, before it is answered, so a killed server loses nothing
// it answered, and a mutation costs the same in a pool of 100 users and
// one of 50,000. A JSON state file of an older version is imported on
// start; cognitoctl state export and import turn the database into
// readable JSON and back.
//
// # How it is built
//
// This package is a thin facade. The emulator itself lives in the
// module's internal/emulator packages, one per service beside the shared
// machinery: the AWS wire protocols, the core that dispatches requests to
// the services registered on it and persists their state, the user pools
// (with the hosted UI), the identity pools (with STS), the API Gateway and
// the fake Facebook. Each service keeps its own state under its own lock.
// The facade's types are its own, so that go doc shows their fields; new
// services are added there, not through this package.
//
// # Speed
//
// A whole USER_SRP_AUTH sign-in (InitiateAuth + RespondToAuthChallenge over
// loopback HTTP with the AWS SDK, both SRP halves and two RS256 signatures)
// runs at about 51 sign-ins/s (median of 7 runs, range 29-54) on a shared
// 2-core AMD EPYC; the floor of the same cryptography without HTTP or state
// (BenchmarkSignIn/srp-floor) measured 55-57/s, so HTTP, JSON and the
// session cost about a tenth. The session keeps B beside b, so resuming it
// costs no modular exponentiation (42/s before that change).
// USER_PASSWORD_AUTH runs at 250-300 sign-ins/s.
//
// The server's SRP proof, password checks and token signatures run outside
// the user pools' state lock, with the state re-checked afterwards:
// concurrent SRP sign-ins (BenchmarkSignIn/srp-http-parallel, client and
// server in one process) ran 1.89x faster with GOMAXPROCS=2 than with 1
// (106 against 56 sign-ins/s, medians of 7 interleaved runs on a shared
// 2-core machine; 1.43x in the same runs while the whole operation held the
// lock). The ratio falls when other processes load the machine.
//
// The hosted UI's code flow for a browser with a session (authorize
// answered with a code, then the PKCE code exchange for three tokens, two
// HTTP round trips) takes 2.8-3.1 ms on the same machine, 1.6-1.9x the
// 1.6-1.8 ms floor of its two RS256 signatures (BenchmarkHostedUICodeFlow
// against BenchmarkHostedUICodeFlowFloor, -benchtime 200x -count 3).
//
// # Known differences from Cognito
//
// SigV4 signatures are required where Cognito requires them and checked
// for shape and date, but not verified (there are no secret keys). Lambda triggers other than the custom
// auth ones (and the hosted UI's post-confirmation and post-authentication
// hooks), SES/SNS delivery and advanced security are not emulated.
// USER_AUTH's first factors are (the SignInPolicy and UserPoolTier of
// CreateUserPool and UpdateUserPool; codes in the outbox as
// KindSignInCode; no MFA after a passwordless factor), and so are passkeys,
// verified by github.com/go-webauthn/webauthn against SetUserPoolMfaConfig's
// WebAuthnConfiguration (an origin must be https on the relying-party ID
// or a subdomain, or http on localhost); Passkey is a software
// authenticator for tests. The hosted UI emulates
// the code flow only (no implicit flow), no SAML IdP-initiated sign-in or
// single logout, and no MFA setup or sign-up pages. MFA_SETUP offers software
// tokens only. In a pool with MFA "ON", a user without a factor but with a
// phone number gets SMS_MFA; otherwise MFA_SETUP.
package cognitotest
