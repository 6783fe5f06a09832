// Package userpool is the emulator's Amazon Cognito user-pool service
// (cognito-idp): pools, app clients, groups and users; sign-in (SRP,
// passwords, custom auth, devices, MFA) and the tokens it issues; JWKS and
// OpenID discovery; the outbox of codes a pool "sent"; and the hosted UI
// (authorize, sign-in pages, token, userInfo, revoke, logout, sign-in
// through a social identity provider).
//
// New registers the service on an emulator.Host: its operation table
// (idp.go), its HTTP paths, and its state as the "pools" section. The whole
// state is guarded by one mutex, held for an operation except while its
// cryptography runs (Server.unlocked: SRP's modular exponentiations, the
// password verifiers of SignUp, AdminCreateUser, ChangePassword,
// ConfirmForgotPassword, AdminSetUserPassword and NEW_PASSWORD_REQUIRED,
// password checks, the RS256 signatures of InitiateAuth and
// RespondToAuthChallenge), after which the step re-checks what it read.
// The hosted UI still does its cryptography under the lock.
//
// The hosted UI lives here, not in a package of its own: its state (identity
// providers, resource servers, authorization codes, sessions) belongs to each
// pool and its sign-in pages drive the pool's users, passwords, MFA and
// token issuance under the pool's lock, so a boundary between the two would
// be an interface over most of this package. The social provider behind it
// is reached through SocialProvider.
//
// cognito/cognitotest is its public face; its types mirror the option and
// hook types here, which that package converts.
package userpool
