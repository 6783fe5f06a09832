package cognito

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brokenStore is a DeviceStore whose every call fails.
type brokenStore struct{}

var errStore = errors.New("disk full")

func (brokenStore) LoadDevice(context.Context, string, string) (*Device, error) { return nil, errStore }
func (brokenStore) SaveDevice(context.Context, string, string, Device) error    { return errStore }
func (brokenStore) DeleteDevice(context.Context, string, string) error          { return errStore }

func TestAccessors(t *testing.T) {
	f := newFake()
	c := NewFromAPI(f, testPool, testClientID)
	assert.Equal(t, testPool, c.UserPoolID())
	assert.Equal(t, testClientID, c.ClientID())
	assert.Same(t, f, c.API())
	assert.Equal(t, "", c.secretHash("u"), "no secret, no hash")
}

func TestDeviceStoreErrors(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.zero = true
	c := newTestClient(f, func(o *Options) { o.DeviceStore = brokenStore{} })
	_, err := c.SignIn(ctx, "u", "pw")
	require.ErrorIs(t, err, errStore)
	assert.Empty(t, f.ops(), "nothing sent when the store fails")
	_, err = c.RefreshToken(ctx, "r", func(o *RefreshOptions) { o.Username = "u" })
	require.ErrorIs(t, err, errStore)
	_, err = c.ConfirmDevice(ctx, &Tokens{AccessToken: "a", Username: "u", NewDevice: &NewDevice{Key: "k", GroupKey: "g"}}, "")
	require.ErrorIs(t, err, errStore)
	require.ErrorIs(t, c.ForgetDevice(ctx, "a", "k", "u"), errStore)
	require.ErrorIs(t, c.forgetLocalDevice(ctx, "u"), errStore)
	_, err = c.SignIn(ctx, "u", "pw", func(o *SignInOptions) { o.NoDevice = true; o.Flow = FlowUserPassword })
	require.ErrorIs(t, err, ErrInvalidResponse, "NoDevice skips the store; the zero fake answers nothing")
}

func TestResultString(t *testing.T) {
	var r *Result
	assert.Equal(t, "cognito.Result(nil)", r.String())
	assert.Equal(t, "cognito.Result{}", (&Result{}).String())
	ch := &Challenge{Name: ChallengeSMSMFA, Username: "u", session: "SECRET-SESSION", Destination: "+***1", MFAOptions: []string{"SMS_MFA"}, RequiredAttributes: []string{"name"}}
	s := (&Result{Challenge: ch}).String()
	assert.Contains(t, s, "SMS_MFA")
	assert.Contains(t, s, "+***1")
	assert.NotContains(t, s, "SECRET-SESSION")
	var nilCh *Challenge
	assert.Equal(t, "cognito.Challenge(nil)", nilCh.String())
}

func TestSetupTOTPErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		out  *cip.AssociateSoftwareTokenOutput
		err  error
		want error
	}{
		{"refused", nil, apiErr("NotAuthorizedException", "Invalid session for the user, session is expired."), ErrNotAuthorized},
		{"no secret", &cip.AssociateSoftwareTokenOutput{}, nil, ErrInvalidResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			challengeAfterPassword(t, f, ChallengeMFASetup, map[string]string{"USER_ID_FOR_SRP": "u"}, challengeHandlers{})
			on(f, "AssociateSoftwareToken", func(context.Context, *cip.AssociateSoftwareTokenInput) (*cip.AssociateSoftwareTokenOutput, error) {
				return tc.out, tc.err
			})
			res, err := newTestClient(f).SignIn(ctx, "u", "pw", passwordFlow)
			require.NoError(t, err)
			_, err = res.Challenge.SetupTOTP(ctx, "x")
			require.ErrorIs(t, err, tc.want)
			_, err = res.Challenge.SelectMFA(ctx, "SMS_MFA")
			require.ErrorIs(t, err, ErrWrongChallenge)
			_, err = res.Challenge.VerifyTOTP(ctx, "1", "")
			require.Error(t, err)
		})
	}
	f := newFake()
	on(f, "AssociateSoftwareToken", func(context.Context, *cip.AssociateSoftwareTokenInput) (*cip.AssociateSoftwareTokenOutput, error) {
		return &cip.AssociateSoftwareTokenOutput{}, nil
	})
	_, err := newTestClient(f).AssociateSoftwareToken(ctx, "at", "i", "a")
	require.ErrorIs(t, err, ErrInvalidResponse)
	f.failAll = apiErr("NotAuthorizedException", "x")
	on(f, "AssociateSoftwareToken", func(context.Context, *cip.AssociateSoftwareTokenInput) (*cip.AssociateSoftwareTokenOutput, error) {
		return nil, apiErr("NotAuthorizedException", "x")
	})
	_, err = newTestClient(f).AssociateSoftwareToken(ctx, "at", "i", "a")
	require.ErrorIs(t, err, ErrNotAuthorized)
}

func TestDeviceSRPMalformed(t *testing.T) {
	ctx := context.Background()
	store := NewMemoryDeviceStore()
	require.NoError(t, store.SaveDevice(ctx, testPool, "u", Device{Key: "dk", GroupKey: "g", Password: "p"}))
	for _, tc := range []struct {
		name   string
		params map[string]string
		err    error
		want   error
	}{
		{"missing SRP_B", map[string]string{"SALT": "1", "SECRET_BLOCK": "AA=="}, nil, ErrInvalidResponse},
		{"B zero", map[string]string{"SRP_B": "0", "SALT": "1", "SECRET_BLOCK": "AA=="}, nil, ErrInvalidResponse},
		{"refused", nil, apiErr("NotAuthorizedException", "Incorrect device"), ErrNotAuthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			challengeAfterPassword(t, f, types.ChallengeNameTypeDeviceSrpAuth, map[string]string{}, challengeHandlers{
				types.ChallengeNameTypeDeviceSrpAuth: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					if in.ChallengeResponses["DEVICE_KEY"] != "dk" {
						return nil, apiErr("InvalidParameterException", "no key")
					}
					if tc.err != nil {
						return nil, tc.err
					}
					return &cip.RespondToAuthChallengeOutput{ChallengeName: types.ChallengeNameTypeDevicePasswordVerifier, ChallengeParameters: tc.params}, nil
				},
			})
			_, err := newTestClient(f, func(o *Options) { o.DeviceStore = store }).SignIn(ctx, "u", "pw", passwordFlow)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestTokensFromAccessTokenOnly(t *testing.T) {
	c := newTestClient(newFake())
	r := authResult("zed", false)
	r.IdToken = nil
	tk, err := c.tokensFrom(r, "typed", "typed")
	require.NoError(t, err)
	assert.Equal(t, "zed", tk.Username, "from the access token's username claim")
	r.AccessToken = aws.String("not-a-jwt")
	tk, err = c.tokensFrom(r, "typed", "typed")
	require.NoError(t, err)
	assert.Equal(t, "typed", tk.Username, "opaque token: keep what is known")
	_, err = c.tokensFrom(nil, "", "")
	require.ErrorIs(t, err, ErrInvalidResponse)
}

func TestSessionAccessorsError(t *testing.T) {
	f := newFake()
	on(f, "InitiateAuth", func(context.Context, *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return nil, apiErr("NotAuthorizedException", "Refresh Token has expired")
	})
	c := newTestClient(f)
	sess := c.NewSession(&Tokens{AccessToken: "a", RefreshToken: "r"}) // no expiry: refresh now
	_, err := sess.AccessToken(context.Background())
	require.ErrorIs(t, err, ErrNotAuthorized)
	_, err = sess.IDToken(context.Background())
	require.ErrorIs(t, err, ErrNotAuthorized)
	sess = c.NewSession(&Tokens{AccessToken: "a"})
	_, err = sess.Tokens(context.Background())
	require.ErrorIs(t, err, ErrNoRefreshToken)
}
