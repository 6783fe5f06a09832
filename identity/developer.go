package identity

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
)

// OpenIDToken is what a developer back end hands a client: the identity ID
// and the OpenID token GetOpenIdTokenForDeveloperIdentity returned. Its
// String and GoString never print the token; its JSON form (IdentityId,
// Token) is meant for the back end's answer to the client and does.
type OpenIDToken struct {
	IdentityID string `json:"IdentityId"`
	Token      string `json:"Token"`
}

// String returns the identity ID and hides the token.
func (t OpenIDToken) String() string {
	return "identity.OpenIDToken{IdentityID: " + t.IdentityID + ", Token: [redacted]}"
}

// GoString is String, so %#v does not print the token either.
func (t OpenIDToken) GoString() string { return t.String() }

// OpenIDTokenSource hands out a current developer OpenID token, typically by
// asking the app's back end, which calls DeveloperIssuer.Issue.
type OpenIDTokenSource interface {
	OpenIDToken(ctx context.Context) (OpenIDToken, error)
}

// OpenIDTokenFunc adapts a function to OpenIDTokenSource.
type OpenIDTokenFunc func(ctx context.Context) (OpenIDToken, error)

// OpenIDToken calls f.
func (f OpenIDTokenFunc) OpenIDToken(ctx context.Context) (OpenIDToken, error) { return f(ctx) }

// DeveloperIssuerOptions configure a DeveloperIssuer.
type DeveloperIssuerOptions struct {
	// TokenDuration is the OpenID token's lifetime (TokenDuration); zero
	// lets Cognito choose (15 minutes).
	TokenDuration time.Duration
}

// IssueOptions configure one DeveloperIssuer.Issue call.
type IssueOptions struct {
	// IdentityID links the developer user to this existing identity (for
	// example the user's guest identity).
	IdentityID string
	// Logins are further logins (e.g. Facebook) to link in the same call.
	Logins map[string]string
	// PrincipalTags are session tags for the credentials.
	PrincipalTags map[string]string
}

// DeveloperIssuer is the server half of developer-authenticated identities:
// after your back end has authenticated a user its own way, Issue calls
// GetOpenIdTokenForDeveloperIdentity (which needs the back end's IAM
// credentials) and returns the identity ID and OpenID token to give the
// client, which then runs a DeveloperProvider. Safe for concurrent use.
type DeveloperIssuer struct {
	client       GetOpenIDTokenForDeveloperIdentityAPIClient
	poolID       string
	providerName string
	opts         DeveloperIssuerOptions
}

// NewDeveloperIssuer returns a DeveloperIssuer for the identity pool and its
// developer provider name (the pool's DeveloperProviderName, e.g.
// "login.example.com"). client is a *cognitoidentity.Client configured with
// IAM credentials allowed cognito-identity:GetOpenIdTokenForDeveloperIdentity.
func NewDeveloperIssuer(client GetOpenIDTokenForDeveloperIdentityAPIClient, identityPoolID, developerProviderName string, optFns ...func(*DeveloperIssuerOptions)) *DeveloperIssuer {
	var o DeveloperIssuerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return &DeveloperIssuer{client: client, poolID: identityPoolID, providerName: developerProviderName, opts: o}
}

// String describes the issuer.
func (i *DeveloperIssuer) String() string {
	return fmt.Sprintf("identity.DeveloperIssuer{pool: %s, provider: %s}", i.poolID, i.providerName)
}

// Issue returns the identity ID and an OpenID token for userID, the user's
// unique identifier in your back end.
func (i *DeveloperIssuer) Issue(ctx context.Context, userID string, optFns ...func(*IssueOptions)) (OpenIDToken, error) {
	switch {
	case i.client == nil:
		return OpenIDToken{}, fmt.Errorf("%w: no cognito-identity client", ErrConfig)
	case i.poolID == "":
		return OpenIDToken{}, fmt.Errorf("%w: no identity pool ID", ErrConfig)
	case i.providerName == "":
		return OpenIDToken{}, fmt.Errorf("%w: no developer provider name", ErrConfig)
	case userID == "":
		return OpenIDToken{}, fmt.Errorf("%w: empty developer user identifier", ErrLogins)
	}
	var o IssueOptions
	for _, fn := range optFns {
		fn(&o)
	}
	logins := make(map[string]string, len(o.Logins)+1)
	for k, v := range o.Logins {
		logins[k] = v
	}
	if err := checkLogins(logins); err != nil {
		return OpenIDToken{}, err
	}
	logins[i.providerName] = userID
	in := &cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: aws.String(i.poolID),
		Logins:         logins,
		PrincipalTags:  o.PrincipalTags,
	}
	if o.IdentityID != "" {
		in.IdentityId = aws.String(o.IdentityID)
	}
	if i.opts.TokenDuration > 0 {
		in.TokenDuration = aws.Int64(int64(i.opts.TokenDuration / time.Second))
	}
	out, err := i.client.GetOpenIdTokenForDeveloperIdentity(ctx, in)
	if err != nil {
		return OpenIDToken{}, apiError(opGetDeveloperToken, err)
	}
	t := OpenIDToken{IdentityID: aws.ToString(out.IdentityId), Token: aws.ToString(out.Token)}
	if t.IdentityID == "" || t.Token == "" {
		return OpenIDToken{}, fmt.Errorf("%w: GetOpenIdTokenForDeveloperIdentity returned no identity ID or token", ErrNoCredentials)
	}
	return t, nil
}

// TokenSource returns an OpenIDTokenSource that issues a fresh token for
// userID on each call: for a back end that itself needs the user's
// credentials, and for tests.
func (i *DeveloperIssuer) TokenSource(userID string, optFns ...func(*IssueOptions)) OpenIDTokenSource {
	return OpenIDTokenFunc(func(ctx context.Context) (OpenIDToken, error) {
		return i.Issue(ctx, userID, optFns...)
	})
}

// DeveloperOptions configure a DeveloperProvider.
type DeveloperOptions struct {
	// CustomRoleARN asks the enhanced flow for this role (role-based
	// access control).
	CustomRoleARN string
	// RoleSessionName, Duration, Policy and PolicyARNs are as in Options,
	// for the basic flow (NewDeveloperBasicProvider).
	RoleSessionName string
	Duration        time.Duration
	Policy          string
	PolicyARNs      []string
}

// DeveloperProvider is the client half of developer-authenticated
// identities: on each refresh it asks its OpenIDTokenSource (your back end)
// for the identity ID and OpenID token, then exchanges them for
// credentials, with GetCredentialsForIdentity (Logins
// {KeyDeveloper: token}) or, for NewDeveloperBasicProvider, STS
// AssumeRoleWithWebIdentity. Like Provider, it implements
// aws.CredentialsProvider without caching; wrap it in aws.NewCredentialsCache.
type DeveloperProvider struct {
	source  OpenIDTokenSource
	creds   GetCredentialsForIdentityAPIClient
	sts     AssumeRoleWithWebIdentityAPIClient
	roleARN string
	opts    DeveloperOptions
	current atomic.Pointer[string]
}

var _ aws.CredentialsProvider = (*DeveloperProvider)(nil)

// NewDeveloperProvider returns a DeveloperProvider of the enhanced flow.
// client needs no AWS credentials.
func NewDeveloperProvider(client GetCredentialsForIdentityAPIClient, source OpenIDTokenSource, optFns ...func(*DeveloperOptions)) *DeveloperProvider {
	p := &DeveloperProvider{source: source, creds: client}
	for _, fn := range optFns {
		fn(&p.opts)
	}
	return p
}

// NewDeveloperBasicProvider returns a DeveloperProvider of the basic flow:
// STS AssumeRoleWithWebIdentity of roleARN with the OpenID token.
func NewDeveloperBasicProvider(stsClient AssumeRoleWithWebIdentityAPIClient, roleARN string, source OpenIDTokenSource, optFns ...func(*DeveloperOptions)) *DeveloperProvider {
	p := &DeveloperProvider{source: source, sts: stsClient, roleARN: roleARN}
	for _, fn := range optFns {
		fn(&p.opts)
	}
	return p
}

// String describes the provider without any secret.
func (p *DeveloperProvider) String() string {
	flow := "enhanced"
	if p.creds == nil && p.sts != nil {
		flow = "basic"
	}
	return "identity.DeveloperProvider{flow: " + flow + "}"
}

// IdentityID returns the identity ID of the last successful Retrieve, or ""
// before the first.
func (p *DeveloperProvider) IdentityID() string {
	if id := p.current.Load(); id != nil {
		return *id
	}
	return ""
}

// Retrieve implements aws.CredentialsProvider.
func (p *DeveloperProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	switch {
	case p.source == nil:
		return aws.Credentials{}, fmt.Errorf("%w: no OpenID token source", ErrConfig)
	case p.creds == nil && p.sts == nil:
		return aws.Credentials{}, fmt.Errorf("%w: no cognito-identity or STS client", ErrConfig)
	case p.creds == nil && p.roleARN == "":
		return aws.Credentials{}, fmt.Errorf("%w: no role ARN", ErrConfig)
	}
	t, err := p.source.OpenIDToken(ctx)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("%w: OpenID token source: %w", ErrLogins, err)
	}
	if t.IdentityID == "" || t.Token == "" {
		return aws.Credentials{}, fmt.Errorf("%w: OpenID token source returned no identity ID or token", ErrLogins)
	}
	var creds aws.Credentials
	id := t.IdentityID
	if p.creds != nil {
		var got string
		creds, got, err = getCredentials(ctx, p.creds, t.IdentityID, map[string]string{KeyDeveloper: t.Token}, p.opts.CustomRoleARN, DeveloperProviderName)
		if got != "" {
			id = got
		}
	} else {
		o := Options{RoleSessionName: p.opts.RoleSessionName, Duration: p.opts.Duration, Policy: p.opts.Policy, PolicyARNs: p.opts.PolicyARNs}
		creds, err = assumeRole(ctx, p.sts, t.Token, p.roleARN, &o, DeveloperProviderName)
	}
	if err != nil {
		return aws.Credentials{}, err
	}
	p.current.Store(&id)
	return creds, nil
}
