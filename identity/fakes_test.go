package identity_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

const (
	testPool = "us-east-1:11111111-2222-3333-4444-555555555555"
	testRole = "arn:aws:iam::123456789012:role/Cognito_Auth"
)

// fakeCognito fakes cognito-identity. Each operation answers from its
// function when set, and from a default otherwise; calls and inputs are
// recorded.
type fakeCognito struct {
	mu     sync.Mutex
	nextID int
	in     []any

	getID     func(*cognitoidentity.GetIdInput) (*cognitoidentity.GetIdOutput, error)
	getCreds  func(*cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error)
	getOpenID func(*cognitoidentity.GetOpenIdTokenInput) (*cognitoidentity.GetOpenIdTokenOutput, error)
	getDev    func(*cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput) (*cognitoidentity.GetOpenIdTokenForDeveloperIdentityOutput, error)

	nGetID, nGetCreds, nGetOpenID, nGetDev atomic.Int64
	expires                                time.Time
}

func newFakeCognito() *fakeCognito {
	return &fakeCognito{expires: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
}

func (f *fakeCognito) record(in any) {
	f.mu.Lock()
	f.in = append(f.in, in)
	f.mu.Unlock()
}

func (f *fakeCognito) inputs() []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]any(nil), f.in...)
}

func (f *fakeCognito) newID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	return fmt.Sprintf("us-east-1:00000000-0000-0000-0000-%012d", f.nextID)
}

func (f *fakeCognito) GetId(_ context.Context, in *cognitoidentity.GetIdInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdOutput, error) {
	f.nGetID.Add(1)
	f.record(in)
	if f.getID != nil {
		return f.getID(in)
	}
	return &cognitoidentity.GetIdOutput{IdentityId: aws.String(f.newID())}, nil
}

func (f *fakeCognito) GetCredentialsForIdentity(_ context.Context, in *cognitoidentity.GetCredentialsForIdentityInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
	n := f.nGetCreds.Add(1)
	f.record(in)
	if f.getCreds != nil {
		return f.getCreds(in)
	}
	return &cognitoidentity.GetCredentialsForIdentityOutput{
		IdentityId: in.IdentityId,
		Credentials: &citypes.Credentials{
			AccessKeyId:  aws.String(fmt.Sprintf("ASIAFAKE%04d", n)),
			SecretKey:    aws.String("fake-secret-key"),
			SessionToken: aws.String("fake-session-token"),
			Expiration:   aws.Time(f.expires),
		},
	}, nil
}

func (f *fakeCognito) GetOpenIdToken(_ context.Context, in *cognitoidentity.GetOpenIdTokenInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetOpenIdTokenOutput, error) {
	f.nGetOpenID.Add(1)
	f.record(in)
	if f.getOpenID != nil {
		return f.getOpenID(in)
	}
	return &cognitoidentity.GetOpenIdTokenOutput{IdentityId: in.IdentityId, Token: aws.String("openid-token-for-" + aws.ToString(in.IdentityId))}, nil
}

func (f *fakeCognito) GetOpenIdTokenForDeveloperIdentity(_ context.Context, in *cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetOpenIdTokenForDeveloperIdentityOutput, error) {
	f.nGetDev.Add(1)
	f.record(in)
	if f.getDev != nil {
		return f.getDev(in)
	}
	id := aws.ToString(in.IdentityId)
	if id == "" {
		id = f.newID()
	}
	return &cognitoidentity.GetOpenIdTokenForDeveloperIdentityOutput{IdentityId: aws.String(id), Token: aws.String("dev-openid-token")}, nil
}

// fakeSTS fakes STS AssumeRoleWithWebIdentity.
type fakeSTS struct {
	mu      sync.Mutex
	in      []*sts.AssumeRoleWithWebIdentityInput
	fn      func(*sts.AssumeRoleWithWebIdentityInput) (*sts.AssumeRoleWithWebIdentityOutput, error)
	n       atomic.Int64
	expires time.Time
}

func newFakeSTS() *fakeSTS {
	return &fakeSTS{expires: time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
}

func (f *fakeSTS) AssumeRoleWithWebIdentity(_ context.Context, in *sts.AssumeRoleWithWebIdentityInput, _ ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	f.n.Add(1)
	f.mu.Lock()
	f.in = append(f.in, in)
	f.mu.Unlock()
	if f.fn != nil {
		return f.fn(in)
	}
	return &sts.AssumeRoleWithWebIdentityOutput{
		AssumedRoleUser: &ststypes.AssumedRoleUser{Arn: aws.String("arn:aws:sts::123456789012:assumed-role/Cognito_Auth/" + aws.ToString(in.RoleSessionName))},
		Credentials: &ststypes.Credentials{
			AccessKeyId:     aws.String("ASIASTSFAKE"),
			SecretAccessKey: aws.String("sts-secret"),
			SessionToken:    aws.String("sts-session"),
			Expiration:      aws.Time(f.expires),
		},
	}, nil
}

func (f *fakeSTS) inputs() []*sts.AssumeRoleWithWebIdentityInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*sts.AssumeRoleWithWebIdentityInput(nil), f.in...)
}

// apiErr is an AWS error answer as the SDK reports it.
func apiErr(code, msg string) error {
	return &smithy.OperationError{ServiceID: "Cognito Identity", OperationName: "Op", Err: &smithy.GenericAPIError{Code: code, Message: msg}}
}
