package identity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/identity"
)

var ctx = context.Background()

func TestEnhancedGuest(t *testing.T) {
	f := newFakeCognito()
	p := identity.NewProvider(f, testPool)
	assert.Empty(t, p.IdentityID())

	creds, err := p.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ASIAFAKE0001", creds.AccessKeyID)
	assert.Equal(t, "fake-secret-key", creds.SecretAccessKey)
	assert.Equal(t, "fake-session-token", creds.SessionToken)
	assert.Equal(t, identity.ProviderName, creds.Source)
	assert.True(t, creds.CanExpire)
	assert.Equal(t, f.expires, creds.Expires)
	id := p.IdentityID()
	assert.Equal(t, "us-east-1:00000000-0000-0000-0000-000000000001", id)

	in := f.inputs()
	require.Len(t, in, 2)
	getID := in[0].(*cognitoidentity.GetIdInput)
	assert.Equal(t, testPool, aws.ToString(getID.IdentityPoolId))
	assert.Empty(t, getID.Logins)
	assert.Nil(t, getID.AccountId)
	gc := in[1].(*cognitoidentity.GetCredentialsForIdentityInput)
	assert.Equal(t, id, aws.ToString(gc.IdentityId))
	assert.Empty(t, gc.Logins)
	assert.Nil(t, gc.CustomRoleArn)

	// A refresh reuses the identity ID: no second GetId.
	creds, err = p.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, "ASIAFAKE0002", creds.AccessKeyID)
	assert.Equal(t, int64(1), f.nGetID.Load())
	assert.Equal(t, id, p.IdentityID())
}

func TestEnhancedLoginsReevaluated(t *testing.T) {
	f := newFakeCognito()
	var n atomic.Int64
	src := identity.IDTokenFunc(func(context.Context) (string, error) {
		return fmt.Sprintf("id-token-%d", n.Add(1)), nil
	})
	p := identity.NewProvider(f, testPool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.UserPoolLogin("", "us-east-1_AbCdEf123", src))
		o.CustomRoleARN = testRole
		o.AccountID = "123456789012"
	})
	for i := 1; i <= 3; i++ {
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
	}
	key := "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
	in := f.inputs()
	require.Len(t, in, 4, "one GetId, three GetCredentialsForIdentity")
	getID := in[0].(*cognitoidentity.GetIdInput)
	assert.Equal(t, map[string]string{key: "id-token-1"}, getID.Logins)
	assert.Equal(t, "123456789012", aws.ToString(getID.AccountId))
	for i, v := range in[1:] {
		gc := v.(*cognitoidentity.GetCredentialsForIdentityInput)
		// Evaluated once per refresh: GetId and the first exchange share it.
		want := fmt.Sprintf("id-token-%d", i+1)
		assert.Equal(t, map[string]string{key: want}, gc.Logins, "refresh %d", i)
		assert.Equal(t, testRole, aws.ToString(gc.CustomRoleArn))
	}
}

func TestBasicFlow(t *testing.T) {
	tests := []struct {
		name    string
		opt     func(*identity.Options)
		session string
		dur     *int32
		policy  *string
		arns    []ststypes.PolicyDescriptorType
	}{
		{name: "defaults", opt: func(*identity.Options) {}, session: identity.DefaultRoleSessionName},
		{name: "all options", opt: func(o *identity.Options) {
			o.RoleSessionName = "alice"
			o.Duration = 2 * time.Hour
			o.Policy = `{"Version":"2012-10-17"}`
			o.PolicyARNs = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
		}, session: "alice", dur: aws.Int32(7200), policy: aws.String(`{"Version":"2012-10-17"}`),
			arns: []ststypes.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, s := newFakeCognito(), newFakeSTS()
			p := identity.NewBasicProvider(f, s, testPool, testRole, func(o *identity.Options) {
				o.Logins = identity.Logins(identity.FacebookLogin("fb-access-token"))
			}, tt.opt)
			creds, err := p.Retrieve(ctx)
			require.NoError(t, err)
			assert.Equal(t, "ASIASTSFAKE", creds.AccessKeyID)
			assert.Equal(t, "sts-secret", creds.SecretAccessKey)
			assert.Equal(t, "sts-session", creds.SessionToken)
			assert.Equal(t, identity.BasicProviderName, creds.Source)
			assert.True(t, creds.CanExpire)
			assert.Equal(t, s.expires, creds.Expires)
			assert.Equal(t, "123456789012", creds.AccountID)
			assert.Zero(t, f.nGetCreds.Load())

			in := f.inputs()
			require.Len(t, in, 2)
			oid := in[1].(*cognitoidentity.GetOpenIdTokenInput)
			assert.Equal(t, p.IdentityID(), aws.ToString(oid.IdentityId))
			assert.Equal(t, map[string]string{identity.KeyFacebook: "fb-access-token"}, oid.Logins)

			si := s.inputs()
			require.Len(t, si, 1)
			assert.Equal(t, testRole, aws.ToString(si[0].RoleArn))
			assert.Equal(t, "openid-token-for-"+p.IdentityID(), aws.ToString(si[0].WebIdentityToken))
			assert.Equal(t, tt.session, aws.ToString(si[0].RoleSessionName))
			assert.Equal(t, tt.dur, si[0].DurationSeconds)
			assert.Equal(t, tt.policy, si[0].Policy)
			assert.Equal(t, tt.arns, si[0].PolicyArns)
		})
	}
}

func TestBasicFlowErrors(t *testing.T) {
	t.Run("STS refuses the token: no identity churn", func(t *testing.T) {
		f, s := newFakeCognito(), newFakeSTS()
		s.fn = func(*sts.AssumeRoleWithWebIdentityInput) (*sts.AssumeRoleWithWebIdentityOutput, error) {
			return nil, apiErr("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider")
		}
		p := identity.NewBasicProvider(f, s, testPool, testRole)
		_, err := p.Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrNotAuthorized)
		var ae *identity.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "AssumeRoleWithWebIdentity", ae.Operation)
		assert.Equal(t, "InvalidIdentityToken", ae.Code)
		assert.Equal(t, int64(1), f.nGetID.Load(), "an STS refusal does not retry with a new identity")
	})
	t.Run("GetOpenIdToken refuses a stored guest ID: retried once", func(t *testing.T) {
		f, s := newFakeCognito(), newFakeSTS()
		var fail atomic.Bool
		f.getOpenID = func(in *cognitoidentity.GetOpenIdTokenInput) (*cognitoidentity.GetOpenIdTokenOutput, error) {
			if fail.CompareAndSwap(true, false) {
				return nil, apiErr("ResourceNotFoundException", "Identity not found")
			}
			return &cognitoidentity.GetOpenIdTokenOutput{IdentityId: in.IdentityId, Token: aws.String("tok")}, nil
		}
		p := identity.NewBasicProvider(f, s, testPool, testRole)
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		first := p.IdentityID()
		fail.Store(true)
		_, err = p.Retrieve(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, first, p.IdentityID())
		assert.Equal(t, int64(2), f.nGetID.Load())
	})
	t.Run("no token", func(t *testing.T) {
		f, s := newFakeCognito(), newFakeSTS()
		f.getOpenID = func(in *cognitoidentity.GetOpenIdTokenInput) (*cognitoidentity.GetOpenIdTokenOutput, error) {
			return &cognitoidentity.GetOpenIdTokenOutput{IdentityId: in.IdentityId}, nil
		}
		_, err := identity.NewBasicProvider(f, s, testPool, testRole).Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrNoCredentials)
	})
	t.Run("STS answer without keys or expiration", func(t *testing.T) {
		for _, c := range []*ststypes.Credentials{nil, {AccessKeyId: aws.String("A")}, {AccessKeyId: aws.String("A"), SecretAccessKey: aws.String("S")}} {
			f, s := newFakeCognito(), newFakeSTS()
			s.fn = func(*sts.AssumeRoleWithWebIdentityInput) (*sts.AssumeRoleWithWebIdentityOutput, error) {
				return &sts.AssumeRoleWithWebIdentityOutput{Credentials: c}, nil
			}
			_, err := identity.NewBasicProvider(f, s, testPool, testRole).Retrieve(ctx)
			require.ErrorIs(t, err, identity.ErrNoCredentials)
		}
	})
}

func TestGuestRetry(t *testing.T) {
	for _, code := range []string{"NotAuthorizedException", "ResourceNotFoundException"} {
		t.Run(code+" on a stored guest ID: new ID, one retry", func(t *testing.T) {
			f := newFakeCognito()
			p := identity.NewProvider(f, testPool)
			_, err := p.Retrieve(ctx)
			require.NoError(t, err)
			old := p.IdentityID()
			f.getCreds = func(in *cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
				if aws.ToString(in.IdentityId) == old {
					return nil, apiErr(code, "Identity '"+old+"' not found.")
				}
				return &cognitoidentity.GetCredentialsForIdentityOutput{IdentityId: in.IdentityId, Credentials: &citypes.Credentials{
					AccessKeyId: aws.String("AKNEW"), SecretKey: aws.String("s"), Expiration: aws.Time(f.expires)}}, nil
			}
			creds, err := p.Retrieve(ctx)
			require.NoError(t, err)
			assert.Equal(t, "AKNEW", creds.AccessKeyID)
			assert.NotEqual(t, old, p.IdentityID())
			assert.Equal(t, int64(2), f.nGetID.Load())

			// The new ID is kept: the next refresh does not call GetId.
			_, err = p.Retrieve(ctx)
			require.NoError(t, err)
			assert.Equal(t, int64(2), f.nGetID.Load())
		})
		t.Run(code+" twice: the second error is returned", func(t *testing.T) {
			f := newFakeCognito()
			p := identity.NewProvider(f, testPool)
			_, err := p.Retrieve(ctx)
			require.NoError(t, err)
			f.getCreds = func(*cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
				return nil, apiErr(code, "no")
			}
			_, err = p.Retrieve(ctx)
			require.Error(t, err)
			assert.Equal(t, int64(2), f.nGetID.Load(), "exactly one retry")
			assert.Equal(t, int64(3), f.nGetCreds.Load())
		})
	}
	t.Run("a fresh guest ID that is refused is not retried", func(t *testing.T) {
		f := newFakeCognito()
		f.getCreds = func(*cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
			return nil, apiErr("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
		}
		_, err := identity.NewProvider(f, testPool).Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrNotAuthorized)
		assert.Equal(t, int64(1), f.nGetID.Load())
	})
	t.Run("other errors are not retried", func(t *testing.T) {
		f := newFakeCognito()
		p := identity.NewProvider(f, testPool)
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		f.getCreds = func(*cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
			return nil, apiErr("TooManyRequestsException", "slow down")
		}
		_, err = p.Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrThrottled)
		assert.Equal(t, int64(1), f.nGetID.Load())
	})
	t.Run("guest not allowed: GetId's error", func(t *testing.T) {
		f := newFakeCognito()
		f.getID = func(*cognitoidentity.GetIdInput) (*cognitoidentity.GetIdOutput, error) {
			return nil, apiErr("NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
		}
		p := identity.NewProvider(f, testPool)
		_, err := p.Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrNotAuthorized)
		var ae *identity.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "GetId", ae.Operation)
		assert.Zero(t, f.nGetCreds.Load())
		assert.Empty(t, p.IdentityID())
	})
}

func TestSignedInErrorReturned(t *testing.T) {
	f := newFakeCognito()
	store := identity.NewMemoryStore()
	tok := "good-token"
	p := identity.NewProvider(f, testPool, func(o *identity.Options) {
		o.Store = store
		o.Logins = identity.Logins(identity.Login{Key: identity.KeyGoogle, Token: func(context.Context) (string, error) { return tok, nil }})
	})
	_, err := p.Retrieve(ctx)
	require.NoError(t, err)
	id := p.IdentityID()

	tok = "expired-token"
	f.getCreds = func(*cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
		return nil, apiErr("NotAuthorizedException", "Invalid login token. Token expired.")
	}
	_, err = p.Retrieve(ctx)
	require.ErrorIs(t, err, identity.ErrNotAuthorized)
	assert.NotErrorIs(t, err, identity.ErrResourceNotFound)
	var sae smithy.APIError
	require.ErrorAs(t, err, &sae)
	assert.Equal(t, "NotAuthorizedException", sae.ErrorCode())
	assert.NotContains(t, err.Error(), "expired-token")
	assert.Equal(t, int64(1), f.nGetID.Load(), "no new identity for a signed-in user")

	stored, err := store.IdentityID(ctx, identity.StoreKey{IdentityPoolID: testPool, Providers: identity.KeyGoogle})
	require.NoError(t, err)
	assert.Equal(t, id, stored, "the identity ID is kept")
}

func TestGuestLinking(t *testing.T) {
	setup := func(t *testing.T, disable bool) (*fakeCognito, *identity.MemoryStore, *bool, *identity.Provider) {
		f := newFakeCognito()
		store := identity.NewMemoryStore()
		signedIn := new(bool)
		p := identity.NewProvider(f, testPool, func(o *identity.Options) {
			o.Store = store
			o.DisableGuestLinking = disable
			o.Logins = func(context.Context) (map[string]string, error) {
				if *signedIn {
					return map[string]string{identity.KeyFacebook: "fb"}, nil
				}
				return nil, nil
			}
		})
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		*signedIn = true
		return f, store, signedIn, p
	}
	guestKey := identity.StoreKey{IdentityPoolID: testPool}
	fbKey := identity.StoreKey{IdentityPoolID: testPool, Providers: identity.KeyFacebook}

	t.Run("logins with the guest's ID link them", func(t *testing.T) {
		f, store, _, p := setup(t, false)
		guestID := p.IdentityID()
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		assert.Equal(t, guestID, p.IdentityID())
		assert.Equal(t, int64(1), f.nGetID.Load())
		in := f.inputs()
		gc := in[len(in)-1].(*cognitoidentity.GetCredentialsForIdentityInput)
		assert.Equal(t, guestID, aws.ToString(gc.IdentityId))
		assert.Equal(t, map[string]string{identity.KeyFacebook: "fb"}, gc.Logins)
		got, _ := store.IdentityID(ctx, fbKey)
		assert.Equal(t, guestID, got)
		got, _ = store.IdentityID(ctx, guestKey)
		assert.Empty(t, got, "the linked guest identity is no longer the guest's")
	})
	t.Run("linking refused: the login's own identity", func(t *testing.T) {
		f, store, _, p := setup(t, false)
		guestID := p.IdentityID()
		f.getCreds = func(in *cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
			if aws.ToString(in.IdentityId) == guestID {
				return nil, apiErr("NotAuthorizedException", "Logins don't match. Please include at least one valid login for this identity or identity pool.")
			}
			return &cognitoidentity.GetCredentialsForIdentityOutput{IdentityId: in.IdentityId, Credentials: &citypes.Credentials{
				AccessKeyId: aws.String("AK"), SecretKey: aws.String("s"), Expiration: aws.Time(f.expires)}}, nil
		}
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, guestID, p.IdentityID())
		got, _ := store.IdentityID(ctx, fbKey)
		assert.Equal(t, p.IdentityID(), got)
		got, _ = store.IdentityID(ctx, guestKey)
		assert.Equal(t, guestID, got, "the guest keeps its identity")
	})
	t.Run("linking disabled", func(t *testing.T) {
		f, _, _, p := setup(t, true)
		guestID := p.IdentityID()
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, guestID, p.IdentityID())
		assert.Equal(t, int64(2), f.nGetID.Load())
	})
	t.Run("sign out: back to the guest key", func(t *testing.T) {
		f, _, signedIn, p := setup(t, false)
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		*signedIn = false
		_, err = p.Retrieve(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(2), f.nGetID.Load(), "a new guest identity after the old one was linked")
	})
}

func TestUserSeparatesStoreKeys(t *testing.T) {
	f := newFakeCognito()
	store := identity.NewMemoryStore()
	mk := func(user string) *identity.Provider {
		return identity.NewProvider(f, testPool, func(o *identity.Options) {
			o.Store, o.User = store, user
			o.Logins = identity.StaticLogins(map[string]string{identity.KeyAmazon: "tok-" + user})
		})
	}
	a, b := mk("alice"), mk("bob")
	_, err := a.Retrieve(ctx)
	require.NoError(t, err)
	_, err = b.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, a.IdentityID(), b.IdentityID())
	_, err = mk("alice").Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), f.nGetID.Load(), "alice's ID is reused from the shared store")
}

func TestResponseWithoutCredentials(t *testing.T) {
	exp := time.Now().Add(time.Hour)
	tests := []struct {
		name string
		out  *cognitoidentity.GetCredentialsForIdentityOutput
		ok   bool
	}{
		{"complete", &cognitoidentity.GetCredentialsForIdentityOutput{Credentials: &citypes.Credentials{AccessKeyId: aws.String("A"), SecretKey: aws.String("S"), Expiration: &exp}}, true},
		{"nil credentials", &cognitoidentity.GetCredentialsForIdentityOutput{}, false},
		{"no access key", &cognitoidentity.GetCredentialsForIdentityOutput{Credentials: &citypes.Credentials{SecretKey: aws.String("S"), Expiration: &exp}}, false},
		{"no secret", &cognitoidentity.GetCredentialsForIdentityOutput{Credentials: &citypes.Credentials{AccessKeyId: aws.String("A"), Expiration: &exp}}, false},
		{"no expiration", &cognitoidentity.GetCredentialsForIdentityOutput{Credentials: &citypes.Credentials{AccessKeyId: aws.String("A"), SecretKey: aws.String("S")}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCognito()
			f.getCreds = func(*cognitoidentity.GetCredentialsForIdentityInput) (*cognitoidentity.GetCredentialsForIdentityOutput, error) {
				return tt.out, nil
			}
			creds, err := identity.NewProvider(f, testPool).Retrieve(ctx)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, "A", creds.AccessKeyID)
				return
			}
			require.ErrorIs(t, err, identity.ErrNoCredentials)
		})
	}
	t.Run("GetId without an ID", func(t *testing.T) {
		f := newFakeCognito()
		f.getID = func(*cognitoidentity.GetIdInput) (*cognitoidentity.GetIdOutput, error) {
			return &cognitoidentity.GetIdOutput{}, nil
		}
		_, err := identity.NewProvider(f, testPool).Retrieve(ctx)
		require.ErrorIs(t, err, identity.ErrNoCredentials)
	})
}

func TestLoginsErrors(t *testing.T) {
	secret := "very-secret-token"
	tests := []struct {
		name   string
		logins identity.LoginsFunc
	}{
		{"function fails", func(context.Context) (map[string]string, error) { return nil, errors.New("refresh failed") }},
		{"empty token", identity.StaticLogins(map[string]string{identity.KeyGoogle: ""})},
		{"empty key", identity.StaticLogins(map[string]string{"": secret})},
		{"token source fails", identity.Logins(identity.UserPoolLogin("us-east-1", "us-east-1_X", identity.IDTokenFunc(func(context.Context) (string, error) {
			return "", errors.New("session expired")
		})))},
		{"login without key", identity.Logins(identity.Login{Token: identity.StaticToken(secret)})},
		{"login without source", identity.Logins(identity.Login{Key: identity.KeyApple})},
		{"login twice", identity.Logins(identity.AppleLogin(secret), identity.AppleLogin(secret))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCognito()
			_, err := identity.NewProvider(f, testPool, func(o *identity.Options) { o.Logins = tt.logins }).Retrieve(ctx)
			require.ErrorIs(t, err, identity.ErrLogins)
			assert.NotContains(t, err.Error(), secret)
			assert.Zero(t, f.nGetID.Load()+f.nGetCreds.Load(), "no call with bad logins")
		})
	}
	t.Run("the source's error is wrapped", func(t *testing.T) {
		cause := errors.New("cause")
		_, err := identity.NewProvider(newFakeCognito(), testPool, func(o *identity.Options) {
			o.Logins = func(context.Context) (map[string]string, error) { return nil, cause }
		}).Retrieve(ctx)
		require.ErrorIs(t, err, cause)
	})
}

func TestConfigErrors(t *testing.T) {
	f, s := newFakeCognito(), newFakeSTS()
	tests := []struct {
		name string
		p    aws.CredentialsProvider
		ok   bool
	}{
		{"enhanced ok", identity.NewProvider(f, testPool), true},
		{"no pool", identity.NewProvider(f, ""), false},
		{"no client", identity.NewProvider(nil, testPool), false},
		{"basic ok", identity.NewBasicProvider(f, s, testPool, testRole), true},
		{"basic no STS", identity.NewBasicProvider(f, nil, testPool, testRole), false},
		{"basic no role", identity.NewBasicProvider(f, s, testPool, ""), false},
		{"basic no client", identity.NewBasicProvider(nil, s, testPool, testRole), false},
		{"developer no source", identity.NewDeveloperProvider(f, nil), false},
		{"developer no client", identity.NewDeveloperProvider(nil, staticDev()), false},
		{"developer basic no role", identity.NewDeveloperBasicProvider(s, "", staticDev()), false},
		{"developer ok", identity.NewDeveloperProvider(f, staticDev()), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.p.Retrieve(ctx)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, identity.ErrConfig)
		})
	}
}

func staticDev() identity.OpenIDTokenSource {
	return identity.OpenIDTokenFunc(func(context.Context) (identity.OpenIDToken, error) {
		return identity.OpenIDToken{IdentityID: "us-east-1:dev", Token: "dev-openid-token"}, nil
	})
}

func TestContextCancelledWhileWaiting(t *testing.T) {
	f := newFakeCognito()
	release := make(chan struct{})
	entered := make(chan struct{})
	f.getID = func(*cognitoidentity.GetIdInput) (*cognitoidentity.GetIdOutput, error) {
		close(entered)
		<-release
		return &cognitoidentity.GetIdOutput{IdentityId: aws.String("us-east-1:x")}, nil
	}
	p := identity.NewProvider(f, testPool)
	done := make(chan error)
	go func() { _, err := p.Retrieve(ctx); done <- err }()
	<-entered
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := p.Retrieve(cctx)
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	require.NoError(t, <-done)
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		code string
		want error
	}{
		{"NotAuthorizedException", identity.ErrNotAuthorized},
		{"AccessDenied", identity.ErrNotAuthorized},
		{"InvalidIdentityToken", identity.ErrNotAuthorized},
		{"IDPRejectedClaim", identity.ErrNotAuthorized},
		{"ExpiredTokenException", identity.ErrNotAuthorized},
		{"ResourceNotFoundException", identity.ErrResourceNotFound},
		{"InvalidParameterException", identity.ErrInvalidParameter},
		{"MalformedPolicyDocument", identity.ErrInvalidParameter},
		{"TooManyRequestsException", identity.ErrThrottled},
		{"LimitExceededException", identity.ErrThrottled},
		{"ExternalServiceException", identity.ErrExternalService},
		{"IDPCommunicationError", identity.ErrExternalService},
		{"InvalidIdentityPoolConfigurationException", identity.ErrInvalidPoolConfiguration},
		{"ResourceConflictException", identity.ErrResourceConflict},
		{"InternalErrorException", nil},
	}
	sentinels := []error{identity.ErrNotAuthorized, identity.ErrResourceNotFound, identity.ErrInvalidParameter,
		identity.ErrThrottled, identity.ErrExternalService, identity.ErrInvalidPoolConfiguration, identity.ErrResourceConflict}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			f := newFakeCognito()
			f.getID = func(*cognitoidentity.GetIdInput) (*cognitoidentity.GetIdOutput, error) {
				return nil, apiErr(tt.code, "msg")
			}
			_, err := identity.NewProvider(f, testPool).Retrieve(ctx)
			var ae *identity.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.code, ae.Code)
			assert.Equal(t, "msg", ae.Message)
			assert.Equal(t, "identity: GetId: "+tt.code+": msg", err.Error())
			for _, s := range sentinels {
				assert.Equal(t, s == tt.want, errors.Is(err, s), "%v", s)
			}
		})
	}
	t.Run("transport error", func(t *testing.T) {
		f := newFakeCognito()
		cause := errors.New("connection refused")
		f.getID = func(*cognitoidentity.GetIdInput) (*cognitoidentity.GetIdOutput, error) { return nil, cause }
		_, err := identity.NewProvider(f, testPool).Retrieve(ctx)
		require.ErrorIs(t, err, cause)
		var ae *identity.APIError
		require.ErrorAs(t, err, &ae)
		assert.Empty(t, ae.Code)
		assert.Equal(t, "identity: GetId: connection refused", err.Error())
		for _, s := range sentinels {
			assert.NotErrorIs(t, err, s)
		}
	})
}

func TestNoSecretsPrinted(t *testing.T) {
	secret := "SECRET-TOKEN-VALUE"
	f := newFakeCognito()
	p := identity.NewProvider(f, testPool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.TwitterLogin(secret, secret))
	})
	_, err := p.Retrieve(ctx)
	require.NoError(t, err)
	l := identity.FacebookLogin(secret)
	tok := identity.OpenIDToken{IdentityID: "us-east-1:x", Token: secret}
	dp := identity.NewDeveloperProvider(f, staticDev())
	iss := identity.NewDeveloperIssuer(f, testPool, "login.example.com")
	for _, v := range []any{p, l, tok, &tok, dp, iss, identity.StoreKey{IdentityPoolID: testPool, Providers: "x"}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			s := fmt.Sprintf(verb, v)
			assert.NotContains(t, s, secret, "%s of %T", verb, v)
			assert.NotContains(t, s, "fake-secret-key", "%s of %T", verb, v)
		}
	}
	assert.Equal(t, "identity.Login{graph.facebook.com}", l.String())
	assert.True(t, strings.HasPrefix(p.String(), "identity.Provider{pool: "+testPool))
	assert.Contains(t, tok.String(), "[redacted]")
}

// TestCredentialsSignRequests: an AWS client configured with the cached
// provider signs its requests with the identity pool's credentials.
func TestCredentialsSignRequests(t *testing.T) {
	srv := newExampleServer()
	defer srv.Close()
	ci := cognitoidentity.New(cognitoidentity.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	p := identity.NewProvider(ci, testPool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.FacebookLogin("fb"))
	})
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.NewCredentialsCache(p)}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/Cognito_Auth/ASIAEXAMPLE", aws.ToString(out.Arn))
	assert.Equal(t, "example-session", aws.ToString(out.UserId), "the session token is sent")

	t.Run("refused login: the call fails with the typed error", func(t *testing.T) {
		bad := identity.NewProvider(ci, testPool, func(o *identity.Options) {
			o.Logins = identity.Logins(identity.FacebookLogin("expired"))
		})
		cfg.Credentials = aws.NewCredentialsCache(bad)
		_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		require.ErrorIs(t, err, identity.ErrNotAuthorized)
	})
}

func TestBasicAccountID(t *testing.T) {
	tests := []struct {
		name string
		user *ststypes.AssumedRoleUser
		want string
	}{
		{"assumed-role ARN", &ststypes.AssumedRoleUser{Arn: aws.String("arn:aws:sts::210987654321:assumed-role/R/s")}, "210987654321"},
		{"no user", nil, ""},
		{"not an ARN", &ststypes.AssumedRoleUser{Arn: aws.String("garbage")}, ""},
		{"account not numeric", &ststypes.AssumedRoleUser{Arn: aws.String("arn:aws:sts::acct:assumed-role/R/s")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeSTS()
			s.fn = func(*sts.AssumeRoleWithWebIdentityInput) (*sts.AssumeRoleWithWebIdentityOutput, error) {
				return &sts.AssumeRoleWithWebIdentityOutput{AssumedRoleUser: tt.user, Credentials: &ststypes.Credentials{
					AccessKeyId: aws.String("A"), SecretAccessKey: aws.String("S"), Expiration: aws.Time(s.expires)}}, nil
			}
			p := identity.NewBasicProvider(newFakeCognito(), s, testPool, testRole)
			assert.Equal(t, testPool, p.IdentityPoolID())
			c, err := p.Retrieve(ctx)
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.AccountID)
		})
	}
}
