package identity

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// Source names set in aws.Credentials.Source.
const (
	// ProviderName is the Source of credentials from the enhanced flow.
	ProviderName = "CognitoIdentityCredentials"
	// BasicProviderName is the Source of credentials from the basic flow.
	BasicProviderName = "CognitoIdentityBasicCredentials"
	// DeveloperProviderName is the Source of credentials from a
	// DeveloperProvider.
	DeveloperProviderName = "CognitoIdentityDeveloperCredentials"
)

// DefaultRoleSessionName is the STS role session name of the basic flow when
// Options.RoleSessionName is empty.
const DefaultRoleSessionName = "cognitokit"

const (
	opGetID             = "GetId"
	opGetCredentials    = "GetCredentialsForIdentity"
	opGetOpenIDToken    = "GetOpenIdToken"
	opGetDeveloperToken = "GetOpenIdTokenForDeveloperIdentity"
	opAssumeRole        = "AssumeRoleWithWebIdentity"
)

// Options configure a Provider. The zero value is a guest of the identity
// pool with an in-memory identity ID store.
type Options struct {
	// Logins returns the Logins map for each refresh; nil means a guest.
	// Build it with Logins(…), StaticLogins or your own function.
	Logins LoginsFunc

	// Store keeps identity IDs; nil means a new MemoryStore.
	Store IDStore

	// User separates users that share a Store (it becomes StoreKey.User).
	// Leave empty when each user has their own Provider and Store.
	User string

	// AccountID is GetId's optional AccountId.
	AccountID string

	// CustomRoleARN asks the enhanced flow for this role instead of the
	// pool's default; the pool must allow it (role-based access control).
	CustomRoleARN string

	// RoleSessionName is the basic flow's STS session name;
	// DefaultRoleSessionName when empty.
	RoleSessionName string

	// Duration is the basic flow's credential lifetime (DurationSeconds);
	// zero lets STS choose (one hour).
	Duration time.Duration

	// Policy is the basic flow's optional inline session policy (JSON).
	Policy string

	// PolicyARNs are the basic flow's optional managed session policies.
	PolicyARNs []string

	// DisableGuestLinking stops a signed-in exchange from reusing the
	// guest identity ID of the same pool (and User). By default, the first
	// exchange with Logins passes the guest's identity ID, which makes
	// Cognito link the login to that identity, so the user keeps the data
	// they had as a guest. If Cognito refuses, the provider asks GetId for
	// the login's own identity instead.
	DisableGuestLinking bool
}

// Provider trades a Logins map for temporary AWS credentials through a
// Cognito identity pool. It implements aws.CredentialsProvider; it does no
// caching of its own: wrap it in aws.NewCredentialsCache (see the package
// documentation). A Provider is safe for concurrent use; concurrent
// Retrieve calls run one at a time.
type Provider struct {
	poolID  string
	flow    string
	opts    Options
	ids     GetIDAPIClient
	creds   GetCredentialsForIdentityAPIClient
	openID  GetOpenIDTokenAPIClient
	sts     AssumeRoleWithWebIdentityAPIClient
	roleARN string

	sem     chan struct{}
	current atomic.Pointer[string]
}

var _ aws.CredentialsProvider = (*Provider)(nil)

// NewProvider returns a Provider of the enhanced (simplified) flow: GetId,
// then GetCredentialsForIdentity, which returns credentials of the role the
// identity pool maps the identity to. client is usually a
// *cognitoidentity.Client; the calls are unsigned, so it needs no AWS
// credentials.
func NewProvider(client EnhancedAPIClient, identityPoolID string, optFns ...func(*Options)) *Provider {
	p := newProvider(identityPoolID, "enhanced", optFns)
	if client != nil {
		p.ids, p.creds = client, client
	}
	return p
}

// NewBasicProvider returns a Provider of the basic (classic) flow: GetId, then
// GetOpenIdToken, then STS AssumeRoleWithWebIdentity of roleARN with the
// OpenID token. Use it when you choose the role yourself, want a session
// policy or a longer duration, or the pool has the basic flow enabled.
func NewBasicProvider(client BasicAPIClient, stsClient AssumeRoleWithWebIdentityAPIClient, identityPoolID, roleARN string, optFns ...func(*Options)) *Provider {
	p := newProvider(identityPoolID, "basic", optFns)
	if client != nil {
		p.ids, p.openID = client, client
	}
	p.sts, p.roleARN = stsClient, roleARN
	return p
}

func newProvider(poolID, flow string, optFns []func(*Options)) *Provider {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Store == nil {
		o.Store = NewMemoryStore()
	}
	o.PolicyARNs = append([]string(nil), o.PolicyARNs...)
	return &Provider{poolID: poolID, flow: flow, opts: o, sem: make(chan struct{}, 1)}
}

// String describes the provider without any secret.
func (p *Provider) String() string {
	return fmt.Sprintf("identity.Provider{pool: %s, flow: %s}", p.poolID, p.flow)
}

// IdentityPoolID returns the identity pool the provider exchanges with.
func (p *Provider) IdentityPoolID() string { return p.poolID }

// IdentityID returns the identity ID of the last successful Retrieve, or ""
// before the first.
func (p *Provider) IdentityID() string {
	if id := p.current.Load(); id != nil {
		return *id
	}
	return ""
}

func (p *Provider) check() error {
	switch {
	case p.poolID == "":
		return fmt.Errorf("%w: no identity pool ID", ErrConfig)
	case p.ids == nil:
		return fmt.Errorf("%w: no cognito-identity client", ErrConfig)
	case p.flow == "basic" && p.sts == nil:
		return fmt.Errorf("%w: no STS client", ErrConfig)
	case p.flow == "basic" && p.roleARN == "":
		return fmt.Errorf("%w: no role ARN", ErrConfig)
	}
	return nil
}

// origin says where the identity ID used for an exchange came from.
type origin int

const (
	fromGetID origin = iota // GetId just returned it
	fromStore               // stored under the exchange's own key
	fromGuest               // the guest's ID, to link the logins to it
)

// Retrieve implements aws.CredentialsProvider: it evaluates the Logins
// function, finds the identity ID (store, guest link or GetId) and runs the
// flow's exchange. For a guest whose stored identity ID is refused
// (NotAuthorized or ResourceNotFound) it forgets that ID and retries once
// with a new one; for a signed-in user it returns the error, which usually
// means an expired login token.
func (p *Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if err := p.check(); err != nil {
		return aws.Credentials{}, err
	}
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return aws.Credentials{}, ctx.Err()
	}
	defer func() { <-p.sem }()

	logins, err := p.logins(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	key := storeKey(p.poolID, p.opts.User, logins)
	guestKey := storeKey(p.poolID, p.opts.User, nil)

	id, from, err := p.resolveID(ctx, key, guestKey, logins)
	if err != nil {
		return aws.Credentials{}, err
	}
	creds, gotID, err := p.exchange(ctx, id, logins)
	if err != nil && identityRejected(err) && (from == fromGuest || (from == fromStore && key.Guest())) {
		if from == fromStore {
			if derr := p.opts.Store.DeleteIdentityID(ctx, key); derr != nil {
				return aws.Credentials{}, fmt.Errorf("identity: store: %w", derr)
			}
		}
		if id, err = p.getID(ctx, key, logins); err != nil {
			return aws.Credentials{}, err
		}
		from = fromGetID
		creds, gotID, err = p.exchange(ctx, id, logins)
	}
	if err != nil {
		return aws.Credentials{}, err
	}
	if gotID == "" {
		gotID = id
	}
	if gotID != id || from == fromGuest {
		if err := p.opts.Store.SetIdentityID(ctx, key, gotID); err != nil {
			return aws.Credentials{}, fmt.Errorf("identity: store: %w", err)
		}
	}
	if from == fromGuest {
		// The guest identity now has a login; a later guest needs a new one.
		if err := p.opts.Store.DeleteIdentityID(ctx, guestKey); err != nil {
			return aws.Credentials{}, fmt.Errorf("identity: store: %w", err)
		}
	}
	p.current.Store(&gotID)
	return creds, nil
}

func (p *Provider) logins(ctx context.Context) (map[string]string, error) {
	if p.opts.Logins == nil {
		return nil, nil
	}
	m, err := p.opts.Logins(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLogins, err)
	}
	if err := checkLogins(m); err != nil {
		return nil, err
	}
	return m, nil
}

func (p *Provider) resolveID(ctx context.Context, key, guestKey StoreKey, logins map[string]string) (string, origin, error) {
	id, err := p.opts.Store.IdentityID(ctx, key)
	if err != nil {
		return "", 0, fmt.Errorf("identity: store: %w", err)
	}
	if id != "" {
		return id, fromStore, nil
	}
	if !key.Guest() && !p.opts.DisableGuestLinking {
		gid, err := p.opts.Store.IdentityID(ctx, guestKey)
		if err != nil {
			return "", 0, fmt.Errorf("identity: store: %w", err)
		}
		if gid != "" {
			return gid, fromGuest, nil
		}
	}
	id, err = p.getID(ctx, key, logins)
	return id, fromGetID, err
}

// getID calls GetId and stores the answer under key.
func (p *Provider) getID(ctx context.Context, key StoreKey, logins map[string]string) (string, error) {
	in := &cognitoidentity.GetIdInput{IdentityPoolId: aws.String(p.poolID), Logins: logins}
	if p.opts.AccountID != "" {
		in.AccountId = aws.String(p.opts.AccountID)
	}
	out, err := p.ids.GetId(ctx, in)
	if err != nil {
		return "", apiError(opGetID, err)
	}
	id := aws.ToString(out.IdentityId)
	if id == "" {
		return "", fmt.Errorf("%w: GetId returned no identity ID", ErrNoCredentials)
	}
	if err := p.opts.Store.SetIdentityID(ctx, key, id); err != nil {
		return "", fmt.Errorf("identity: store: %w", err)
	}
	return id, nil
}

// exchange runs the flow's exchange for identity id and returns the
// credentials and the identity ID the service answered with.
func (p *Provider) exchange(ctx context.Context, id string, logins map[string]string) (aws.Credentials, string, error) {
	if p.flow == "basic" {
		out, err := p.openID.GetOpenIdToken(ctx, &cognitoidentity.GetOpenIdTokenInput{IdentityId: aws.String(id), Logins: logins})
		if err != nil {
			return aws.Credentials{}, "", apiError(opGetOpenIDToken, err)
		}
		tok := aws.ToString(out.Token)
		if tok == "" {
			return aws.Credentials{}, "", fmt.Errorf("%w: GetOpenIdToken returned no token", ErrNoCredentials)
		}
		creds, err := assumeRole(ctx, p.sts, tok, p.roleARN, &p.opts, BasicProviderName)
		return creds, aws.ToString(out.IdentityId), err
	}
	return getCredentials(ctx, p.creds, id, logins, p.opts.CustomRoleARN, ProviderName)
}

func getCredentials(ctx context.Context, c GetCredentialsForIdentityAPIClient, id string, logins map[string]string, customRole, source string) (aws.Credentials, string, error) {
	in := &cognitoidentity.GetCredentialsForIdentityInput{IdentityId: aws.String(id), Logins: logins}
	if customRole != "" {
		in.CustomRoleArn = aws.String(customRole)
	}
	out, err := c.GetCredentialsForIdentity(ctx, in)
	if err != nil {
		return aws.Credentials{}, "", apiError(opGetCredentials, err)
	}
	creds, err := fromCognito(out.Credentials, source)
	return creds, aws.ToString(out.IdentityId), err
}

func fromCognito(c *citypes.Credentials, source string) (aws.Credentials, error) {
	if c == nil || aws.ToString(c.AccessKeyId) == "" || aws.ToString(c.SecretKey) == "" {
		return aws.Credentials{}, fmt.Errorf("%w: GetCredentialsForIdentity returned no keys", ErrNoCredentials)
	}
	if c.Expiration == nil {
		return aws.Credentials{}, fmt.Errorf("%w: GetCredentialsForIdentity returned no expiration", ErrNoCredentials)
	}
	return aws.Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Source:          source,
		CanExpire:       true,
		Expires:         *c.Expiration,
	}, nil
}

// assumeRole is the basic flow's STS step.
func assumeRole(ctx context.Context, c AssumeRoleWithWebIdentityAPIClient, token, roleARN string, o *Options, source string) (aws.Credentials, error) {
	name := o.RoleSessionName
	if name == "" {
		name = DefaultRoleSessionName
	}
	in := &sts.AssumeRoleWithWebIdentityInput{
		RoleArn:          aws.String(roleARN),
		RoleSessionName:  aws.String(name),
		WebIdentityToken: aws.String(token),
	}
	if o.Duration > 0 {
		in.DurationSeconds = aws.Int32(int32(o.Duration / time.Second))
	}
	if o.Policy != "" {
		in.Policy = aws.String(o.Policy)
	}
	for _, a := range o.PolicyARNs {
		in.PolicyArns = append(in.PolicyArns, ststypes.PolicyDescriptorType{Arn: aws.String(a)})
	}
	out, err := c.AssumeRoleWithWebIdentity(ctx, in)
	if err != nil {
		return aws.Credentials{}, apiError(opAssumeRole, err)
	}
	sc := out.Credentials
	if sc == nil || aws.ToString(sc.AccessKeyId) == "" || aws.ToString(sc.SecretAccessKey) == "" {
		return aws.Credentials{}, fmt.Errorf("%w: AssumeRoleWithWebIdentity returned no keys", ErrNoCredentials)
	}
	if sc.Expiration == nil {
		return aws.Credentials{}, fmt.Errorf("%w: AssumeRoleWithWebIdentity returned no expiration", ErrNoCredentials)
	}
	creds := aws.Credentials{
		AccessKeyID:     aws.ToString(sc.AccessKeyId),
		SecretAccessKey: aws.ToString(sc.SecretAccessKey),
		SessionToken:    aws.ToString(sc.SessionToken),
		Source:          source,
		CanExpire:       true,
		Expires:         *sc.Expiration,
	}
	if out.AssumedRoleUser != nil {
		creds.AccountID = accountFromARN(aws.ToString(out.AssumedRoleUser.Arn))
	}
	return creds, nil
}

// accountFromARN returns the account field of arn:partition:service:region:account:…
func accountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	if _, err := strconv.ParseUint(parts[4], 10, 64); err != nil {
		return ""
	}
	return parts[4]
}
