// Package cognito is a client for Amazon Cognito user pools: sign-in with
// every flow and challenge, token refresh, self-service account calls,
// device tracking and the admin API, on top of aws-sdk-go-v2.
//
// # Which call do I want?
//
//   - An app a user runs (CLI, desktop, mobile back end acting for one
//     user): New, then SignIn with the default USER_SRP_AUTH flow. The
//     password never leaves the process; an SRP-6a proof is sent instead.
//   - A trusted server holding IAM credentials (migration service, support
//     tool): AdminSignIn (ADMIN_USER_PASSWORD_AUTH) and the Admin… methods:
//     AdminCreateUser, AdminCreateConfirmedUser (create, skip the
//     invitation, set a permanent password: ready to sign in),
//     AdminSetUserPassword, AdminGetUser, AdminDisableUser, groups, sign-out.
//   - A user migration Lambda trigger in the pool: SignIn with
//     FlowUserPassword (Cognito must see the password to migrate it).
//   - Passwordless sign-in as Cognito offers it today (USER_AUTH):
//     SignIn with FlowUserAuth, then answer SELECT_CHALLENGE with
//     SelectFactor (e-mail or SMS code, passkey, password, SRP), or name
//     SignInOptions.PreferredFactor. Passkeys are registered with
//     StartPasskeyRegistration and CompletePasskeyRegistration: the options
//     go to an authenticator (a browser's navigator.credentials) and its
//     response comes back; this package is not an authenticator.
//   - Passwordless or extra factors written as Lambda triggers: FlowCustom,
//     or FlowCustomWithSRP to check the password first.
//   - App clients that rotate refresh tokens: Options.RotateRefreshTokens
//     (or let the first refused REFRESH_TOKEN_AUTH switch the client to
//     GetTokensFromRefreshToken); Sessions keep the new refresh token.
//   - Keeping a user signed in: NewSession with the sign-in's Tokens, then
//     ask Session.AccessToken before each call; it refreshes ahead of
//     expiry, once for all goroutines. For one-off refreshes, Refresh or
//     RefreshToken.
//   - Calling an API that takes Cognito tokens (API Gateway JWT or Cognito
//     authorizers, a service behind jwks' middleware): Session.Client, or
//     a BearerTransport under your own client; it sends the access (or ID)
//     token, refreshes ahead of expiry and retries once after a 401.
//     Session.TokenSource hands the session to anything built on
//     golang.org/x/oauth2 (oauth2.NewClient, gRPC per-RPC credentials).
//   - A command-line program signing people in through the hosted UI
//     (social or SAML logins), as `aws sso login` does:
//     HostedUI.LoginWithBrowser, then HostedUI.NewSession with a
//     FileTokenStore (SessionOptions.Store) so the next run calls
//     RestoreSession instead of signing in again.
//   - Sign-up and account screens: SignUp, ConfirmSignUp, ForgotPassword,
//     ConfirmForgotPassword, ChangePassword, GetUser, UpdateUserAttributes,
//     VerifyUserAttribute, DeleteUser.
//   - Signing out: RevokeToken (this device's refresh token), GlobalSignOut
//     (every device), AdminUserGlobalSignOut (from a back end).
//   - A web app signing people in through Cognito's hosted UI (including
//     "Sign in with Facebook" and other federated providers):
//     NewHostedUI, then AuthorizeURL with a NewPKCE verifier and a state
//     from a NewStateCodec (CSRF nonce plus an allow-listed destination,
//     HMAC-signed); on the callback ParseCallback, verify the state, and
//     Exchange the code. Refresh, UserInfo, Revoke and LogoutURL complete
//     it; ClientCredentials serves machine-to-machine scopes. See
//     examples/webapp, or let package websession do all of it (handlers,
//     session cookie, tokens kept server-side).
//
// # Challenges
//
// SignIn returns a Result holding either Tokens or a Challenge. Answer a
// challenge with the method for its Name and loop until Tokens arrive:
//
//	res, err := c.SignIn(ctx, username, password)
//	for err == nil && res.Challenge != nil {
//		ch := res.Challenge
//		switch ch.Name {
//		case cognito.ChallengeNewPasswordRequired:
//			res, err = ch.RespondNewPassword(ctx, newPassword, map[string]string{"name": "Ann"})
//		case cognito.ChallengeSMSMFA, cognito.ChallengeEmailOTP, cognito.ChallengeSoftwareTokenMFA:
//			res, err = ch.RespondMFA(ctx, askCode(ch.Destination))
//		case cognito.ChallengeSelectMFAType:
//			res, err = ch.SelectMFA(ctx, "SOFTWARE_TOKEN_MFA")
//		case cognito.ChallengeMFASetup:
//			setup, _ := ch.SetupTOTP(ctx, "Example Co") // show setup.URI as a QR code
//			res, err = ch.VerifyTOTP(ctx, askCode(""), "phone")
//		case cognito.ChallengeCustom:
//			res, err = ch.RespondCustom(ctx, answer)
//		}
//	}
//
// The client answers PASSWORD_VERIFIER itself, and DEVICE_SRP_AUTH /
// DEVICE_PASSWORD_VERIFIER for a device remembered with ConfirmDevice. It
// forwards the latest Session at every step and, once Cognito names the
// user in USER_ID_FOR_SRP, uses that Cognito username (not the alias the
// user typed) for the SRP proof, USERNAME and every later SECRET_HASH.
//
// # Devices
//
// When the pool tracks devices, a sign-in's Tokens carry NewDevice. Call
// ConfirmDevice to register it with a fresh random device secret kept in
// the Options.DeviceStore (in memory by default; implement DeviceStore to
// persist it). Later sign-ins send DEVICE_KEY and pass the device check
// without MFA. If the device was forgotten server-side, the client drops it
// locally and signs in or refreshes again without it.
//
// # App client secrets
//
// Set Options.ClientSecret for app clients that have a secret: SECRET_HASH
// is then sent wherever Cognito wants it, including refresh, where it is
// computed from the Cognito username (often the sub, read from the ID
// token's cognito:username; give it with RefreshOptions.Username when
// refreshing from a bare token).
//
// # Errors
//
// Cognito exceptions are *Error values carrying Op, Code and Message, and
// errors.Is matches them against the Err… sentinels (ErrNotAuthorized for a
// wrong password, ErrUserNotConfirmed, ErrCodeMismatch, …). Problems the
// client finds in a response wrap ErrInvalidResponse. No error, String or
// GoString output contains a password, token, session or secret.
//
// # Security
//
// Every check is on: the SRP client rejects B ≡ 0 (mod N) and u = 0, parses
// SRP_B and SALT as signed integers, and never panics on malformed server
// input (fuzzed). Tokens returned here are not verified; verify them with
// package jwks before trusting their claims in a server.
//
// # Performance
//
// A client-side USER_SRP_AUTH computation costs the three modular
// exponentiations SRP cannot avoid (a few milliseconds) and nothing
// measurable besides. Figures, and the commands that rerun them, are in the
// repository's benchmarks/README.md.
package cognito
