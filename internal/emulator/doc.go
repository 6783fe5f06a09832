// Package emulator is the core of the Cognito emulator that
// cognito/cognitotest puts a face on: one HTTP handler in front of the
// services registered on it, and what they share — the clock (with
// Advance), the random source, the externally visible base URL, the
// dispatch of AWS's JSON 1.1 and Query protocols, and persistence.
//
// # Layout
//
// Every emulated service is a package of its own under internal/emulator,
// beside the shared machinery:
//
//	awsproto   the AWS wire: JSON 1.1 bodies and answers, errors in AWS's
//	           shape ({"__type","message"}, X-Amzn-ErrorType), Query/XML
//	           answers, the SigV4-presence check, CORS
//	requestid  a UUID x-amzn-RequestId on every response
//	awsmodel   validation of every JSON request against the published
//	           service models
//	store      the embedded database (bbolt) the state lives in, one
//	           entity per key
//	emulator   this package: the Host (registration, dispatch with model
//	           validation, clock, randomness, base URL, persisted sections)
//	userpool   cognito-idp: pools, clients, groups, users, sign-in (SRP,
//	           passwords, custom auth), tokens, MFA, devices, JWKS and
//	           discovery, the outbox, and the hosted UI
//	idpool     cognito-identity: identity pools, identities, OpenID tokens,
//	           roles and the credentials issued
//	sts        STS's Query protocol: AssumeRoleWithWebIdentity, answered
//	           through an sts.Issuer (the identity pools), and
//	           GetCallerIdentity for IAM users' and issued credentials
//	iam        the IAM role API Terraform's aws_iam_role and
//	           aws_iam_role_policy use (Query/XML), over the identity
//	           pools' roles through an iam.RoleStore
//	apigw      the API Gateway (SigV4 and user-pool authorizers, IAM
//	           policies)
//	fakefb     the fake Facebook (Graph API tokens, OAuth dialog)
//	fakeoidc, fakeamazon, faketwitter, fakesaml, fakeoauth
//	           the other fake identity providers (Google, Apple, any OIDC
//	           issuer, Login with Amazon, Twitter, SAML), mounted under
//	           /_emulator/ by cognitotest, and federation, the login
//	           verifiers the identity pools use
//	lambdafn   Lambda functions by ARN: Go handlers, compiled programs
//	           through a Lambda Runtime API, or an Invoke API endpoint
//	triggers   the events Cognito sends to its Lambda triggers, their
//	           responses' checks and Cognito's error mapping (not wired
//	           into the user pools yet)
//
// # Why this shape
//
// The services used to be one package with one state struct and one
// server type that named every service, so no service could be moved
// without closing an import circle. Now the dependencies point one way:
//
//   - The core imports only awsproto. It knows a service through what the
//     service registers: a Target (its table of JSON 1.1 operations, each a
//     function from a decoded request to an output or an *awsproto.APIError,
//     marked public or read-only), Query actions, HTTP patterns or path
//     prefixes, and a Section of the persisted state.
//   - Each service imports the core and awsproto, owns its state under its
//     own lock, and registers itself (userpool.New, idpool's, apigw's and
//     fakefb's Register). The core persists after every operation not marked
//     read-only; services also call Host.Persist after their Go-side
//     mutations.
//   - Where one service needs another, it says what it needs with a small
//     interface of its own, and the owner (cognitotest) connects them: the
//     hosted UI signs users in through a userpool.SocialProvider (the fake
//     Facebook); identity pools verify user-pool tokens through an
//     idpool.UserPoolVerifier and Facebook tokens through an
//     idpool.Facebook; the API Gateway looks up credentials and roles
//     through apigw.Identities (implemented by idpool.Service, whose record
//     types it shares: the one service-to-service import) and user-pool
//     tokens through an apigw.TokenVerifier; STS asks the identity pools
//     for credentials through an sts.Issuer. TestLayoutImports pins these
//     directions.
//
// No service imports cognitotest, and the core imports no service. Lock
// order: a service may call another's interface while holding its own lock
// (identity pools verify tokens under theirs); the user-pool service never
// calls out while holding its lock, and the core's own locks (clock, URL,
// random source, persistence) are leaves.
//
// # State
//
// Each service's state is one Section of the state file: a snapshot taken
// under the service's lock and a restore at start. The user pools' section
// is keyed per pool, the identity pools' per pool, identity and
// credential, the gateway's per API and IAM user, so that a store keeping
// each entity under its own key can replace the whole-file snapshot
// without changing the services' shape.
package emulator
