package cognito

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// deviceFake is a small Cognito for one user with device tracking: SRP for
// the user, NewDeviceMetadata at the first sign-in, ConfirmDevice storing
// the verifier, and DEVICE_SRP_AUTH checked for real afterwards.
type deviceFake struct {
	t    *testing.T
	f    *fakeAPI
	user *srpVerifierUser

	mu        sync.Mutex
	device    *srpVerifierUser // confirmed device
	forgotten bool             // the device was forgotten server-side
	// forgetAtDeviceSRP forgets the device just as DEVICE_SRP_AUTH arrives.
	forgetAtDeviceSRP bool
	sessions          int
}

const (
	devKey   = "us-east-1_5bd1c2a0-dev"
	devGroup = "-grp-Xy12"
)

func newDeviceFake(t *testing.T) *deviceFake {
	d := &deviceFake{t: t, f: newFake(), user: newSRPUser(t, srp.PoolName(testPool), "uuid-liam", "pw-liam")}
	f := d.f
	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if in.AuthFlow == types.AuthFlowTypeRefreshTokenAuth {
			// SECRET_HASH for the Cognito username, which is not sent.
			if in.AuthParameters["SECRET_HASH"] != srp.SecretHash("uuid-liam", testClientID, testSecret) {
				return nil, apiErr("NotAuthorizedException", "SECRET_HASH was not received or is wrong")
			}
		} else if err := checkSecretHash(in.AuthParameters); err != nil {
			return nil, err
		}
		if k := in.AuthParameters["DEVICE_KEY"]; k != "" && !d.known(k) {
			return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
		}
		if in.AuthFlow == types.AuthFlowTypeRefreshTokenAuth {
			if in.AuthParameters["REFRESH_TOKEN"] != "refresh-uuid-liam" {
				return nil, apiErr("NotAuthorizedException", "Invalid Refresh Token")
			}
			return &cip.InitiateAuthOutput{AuthenticationResult: authResult("uuid-liam", false)}, nil
		}
		return &cip.InitiateAuthOutput{
			ChallengeName:       types.ChallengeNameTypePasswordVerifier,
			ChallengeParameters: d.user.challenge(t, in.AuthParameters["SRP_A"]),
			Session:             aws.String(d.nextSession()),
		}, nil
	})
	var devSRP *srpVerifierUser
	on(f, "RespondToAuthChallenge", func(_ context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
		r := in.ChallengeResponses
		if err := checkSecretHash(r); err != nil {
			return nil, err
		}
		if r["USERNAME"] != "uuid-liam" {
			return nil, apiErr("NotAuthorizedException", "wrong USERNAME "+r["USERNAME"])
		}
		if k := r["DEVICE_KEY"]; k != "" && !d.known(k) {
			return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
		}
		switch in.ChallengeName {
		case types.ChallengeNameTypePasswordVerifier:
			if err := d.user.verify(r); err != nil {
				return nil, err
			}
			if r["DEVICE_KEY"] != "" {
				return &cip.RespondToAuthChallengeOutput{ChallengeName: types.ChallengeNameTypeDeviceSrpAuth, Session: aws.String(d.nextSession()), ChallengeParameters: map[string]string{}}, nil
			}
			res := authResult("uuid-liam", true)
			res.NewDeviceMetadata = &types.NewDeviceMetadataType{DeviceKey: aws.String(devKey), DeviceGroupKey: aws.String(devGroup)}
			return &cip.RespondToAuthChallengeOutput{AuthenticationResult: res}, nil
		case types.ChallengeNameTypeDeviceSrpAuth:
			d.mu.Lock()
			if d.forgetAtDeviceSRP {
				d.forgotten, d.device = true, nil
			}
			devSRP = d.device
			d.mu.Unlock()
			if r["DEVICE_KEY"] != devKey || devSRP == nil {
				return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
			}
			p := devSRP.challenge(t, r["SRP_A"])
			delete(p, "USER_ID_FOR_SRP")
			p["USERNAME"] = "uuid-liam"
			p["DEVICE_KEY"] = devKey
			return &cip.RespondToAuthChallengeOutput{ChallengeName: types.ChallengeNameTypeDevicePasswordVerifier, ChallengeParameters: p, Session: aws.String(d.nextSession())}, nil
		case types.ChallengeNameTypeDevicePasswordVerifier:
			if devSRP == nil {
				return nil, apiErr("NotAuthorizedException", "no device login")
			}
			if err := devSRP.verify(r); err != nil {
				return nil, err
			}
			return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("uuid-liam", true)}, nil
		}
		return nil, apiErr("InvalidParameterException", "unexpected "+string(in.ChallengeName))
	})
	on(f, "ConfirmDevice", func(_ context.Context, in *cip.ConfirmDeviceInput) (*cip.ConfirmDeviceOutput, error) {
		if aws.ToString(in.DeviceKey) != devKey {
			return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
		}
		salt, err := srp.ParseBase64Int(aws.ToString(in.DeviceSecretVerifierConfig.Salt))
		require.NoError(t, err)
		v, err := srp.ParseBase64Int(aws.ToString(in.DeviceSecretVerifierConfig.PasswordVerifier))
		require.NoError(t, err)
		d.mu.Lock()
		d.device = &srpVerifierUser{realm: devGroup, userID: devKey, salt: salt, verifier: v}
		d.mu.Unlock()
		return &cip.ConfirmDeviceOutput{UserConfirmationNecessary: true}, nil
	})
	on(f, "ForgetDevice", func(_ context.Context, in *cip.ForgetDeviceInput) (*cip.ForgetDeviceOutput, error) {
		if !d.known(aws.ToString(in.DeviceKey)) {
			return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
		}
		d.forget()
		return &cip.ForgetDeviceOutput{}, nil
	})
	return d
}

func (d *deviceFake) known(k string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return k == devKey && d.device != nil && !d.forgotten
}

func (d *deviceFake) forget() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.forgotten = true
	d.device = nil
}

func (d *deviceFake) nextSession() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sessions++
	return fmt.Sprintf("dsess-%d", d.sessions)
}

func TestDeviceRemembered(t *testing.T) {
	ctx := context.Background()
	d := newDeviceFake(t)
	store := NewMemoryDeviceStore()
	c := newTestClient(d.f, withSecret, func(o *Options) { o.DeviceStore = store })

	res, err := c.SignIn(ctx, "liam@example.com", "pw-liam")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens.NewDevice)
	assert.Equal(t, devKey, res.Tokens.NewDevice.Key)

	conf, err := c.ConfirmDevice(ctx, res.Tokens, "laptop")
	require.NoError(t, err)
	assert.True(t, conf.UserConfirmationNecessary)
	assert.NotContains(t, conf.String(), conf.Device.Password)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", conf.Device, conf.Device, conf.Device), conf.Device.Password)
	for _, name := range []string{"uuid-liam", "liam@example.com"} {
		dev, err := store.LoadDevice(ctx, testPool, name)
		require.NoError(t, err)
		require.NotNil(t, dev, name)
		assert.Equal(t, devKey, dev.Key)
	}

	// The second sign-in answers DEVICE_SRP_AUTH by itself.
	res, err = c.SignIn(ctx, "liam@example.com", "pw-liam")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
	ops := d.f.ops()
	assert.Equal(t, []string{"InitiateAuth", "RespondToAuthChallenge", "ConfirmDevice", "InitiateAuth", "RespondToAuthChallenge", "RespondToAuthChallenge", "RespondToAuthChallenge"}, ops)
	inits := callsTo[cip.InitiateAuthInput](d.f, "InitiateAuth")
	assert.Equal(t, devKey, inits[1].AuthParameters["DEVICE_KEY"])

	// Refresh sends DEVICE_KEY for the remembered device.
	nt, err := c.Refresh(ctx, res.Tokens)
	require.NoError(t, err)
	assert.Equal(t, "refresh-uuid-liam", nt.RefreshToken, "old refresh token kept")
	inits = callsTo[cip.InitiateAuthInput](d.f, "InitiateAuth")
	assert.Equal(t, devKey, inits[len(inits)-1].AuthParameters["DEVICE_KEY"])

	// A device whose secret does not match fails the device check.
	require.NoError(t, store.SaveDevice(ctx, testPool, "uuid-liam", Device{Key: devKey, GroupKey: devGroup, Password: "not-the-password"}))
	require.NoError(t, store.SaveDevice(ctx, testPool, "liam@example.com", Device{Key: devKey, GroupKey: devGroup, Password: "not-the-password"}))
	_, err = c.SignIn(ctx, "liam@example.com", "pw-liam")
	require.ErrorIs(t, err, ErrNotAuthorized)

	// NoDevice ignores the remembered device.
	res, err = c.SignIn(ctx, "liam@example.com", "pw-liam", func(o *SignInOptions) { o.NoDevice = true })
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
}

func TestDeviceForgottenServerSide(t *testing.T) {
	ctx := context.Background()
	d := newDeviceFake(t)
	store := NewMemoryDeviceStore()
	c := newTestClient(d.f, withSecret, func(o *Options) { o.DeviceStore = store })
	res, err := c.SignIn(ctx, "uuid-liam", "pw-liam")
	require.NoError(t, err)
	_, err = c.ConfirmDevice(ctx, res.Tokens, "")
	require.NoError(t, err)

	d.forget() // e.g. from another client or an admin
	res, err = c.SignIn(ctx, "uuid-liam", "pw-liam")
	require.NoError(t, err, "the client retries without the forgotten device")
	require.NotNil(t, res.Tokens)
	dev, err := store.LoadDevice(ctx, testPool, "uuid-liam")
	require.NoError(t, err)
	assert.Nil(t, dev, "the forgotten device is dropped locally")
	inits := callsTo[cip.InitiateAuthInput](d.f, "InitiateAuth")
	require.Len(t, inits, 3)
	assert.Equal(t, devKey, inits[1].AuthParameters["DEVICE_KEY"])
	assert.Empty(t, inits[2].AuthParameters["DEVICE_KEY"])
}

func TestDeviceForgottenAfterInitiate(t *testing.T) {
	// Cognito only notices the missing device at PASSWORD_VERIFIER: the
	// answer is resent without DEVICE_KEY on the same session.
	ctx := context.Background()
	f := newFake()
	u := newSRPUser(t, srp.PoolName(testPool), "mia", "pw")
	store := NewMemoryDeviceStore()
	require.NoError(t, store.SaveDevice(ctx, testPool, "mia", Device{Key: "gone", GroupKey: "g", Password: "p"}))
	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeParameters: u.challenge(t, in.AuthParameters["SRP_A"]), Session: aws.String("s0")}, nil
	})
	on(f, "RespondToAuthChallenge", func(_ context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
		if in.ChallengeResponses["DEVICE_KEY"] != "" {
			return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
		}
		if aws.ToString(in.Session) != "s0" {
			return nil, apiErr("NotAuthorizedException", "Invalid session")
		}
		if err := u.verify(in.ChallengeResponses); err != nil {
			return nil, err
		}
		return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("mia", true)}, nil
	})
	c := newTestClient(f, func(o *Options) { o.DeviceStore = store })
	res, err := c.SignIn(ctx, "mia", "pw")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
	dev, _ := store.LoadDevice(ctx, testPool, "mia")
	assert.Nil(t, dev)

	// Other ResourceNotFound errors are not retried.
	on(f, "RespondToAuthChallenge", func(_ context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
		return nil, apiErr("ResourceNotFoundException", "User pool client does not exist.")
	})
	_, err = c.SignIn(ctx, "mia", "pw")
	require.ErrorIs(t, err, ErrResourceNotFound)
}

func TestDeviceSRPWithoutDevice(t *testing.T) {
	f := newFake()
	challengeAfterPassword(t, f, types.ChallengeNameTypeDeviceSrpAuth, map[string]string{}, challengeHandlers{})
	_, err := newTestClient(f).SignIn(context.Background(), "u", "pw", passwordFlow)
	require.ErrorIs(t, err, ErrInvalidResponse)
}

func TestConfirmDeviceErrors(t *testing.T) {
	ctx := context.Background()
	d := newDeviceFake(t)
	c := newTestClient(d.f, withSecret)
	_, err := c.ConfirmDevice(ctx, &Tokens{AccessToken: "a"}, "x")
	require.ErrorIs(t, err, ErrInvalidParameter)
	_, err = c.ConfirmDevice(ctx, &Tokens{AccessToken: "a", NewDevice: &NewDevice{Key: "other", GroupKey: "g"}}, "x")
	require.ErrorIs(t, err, ErrResourceNotFound)
}

func TestDeviceManagement(t *testing.T) {
	ctx := context.Background()
	d := newDeviceFake(t)
	store := NewMemoryDeviceStore()
	c := newTestClient(d.f, withSecret, func(o *Options) { o.DeviceStore = store })
	res, err := c.SignIn(ctx, "uuid-liam", "pw-liam")
	require.NoError(t, err)
	_, err = c.ConfirmDevice(ctx, res.Tokens, "laptop")
	require.NoError(t, err)

	on(d.f, "UpdateDeviceStatus", func(_ context.Context, in *cip.UpdateDeviceStatusInput) (*cip.UpdateDeviceStatusOutput, error) {
		if aws.ToString(in.DeviceKey) != devKey {
			return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
		}
		return &cip.UpdateDeviceStatusOutput{}, nil
	})
	require.NoError(t, c.UpdateDeviceStatus(ctx, res.Tokens.AccessToken, devKey, true))
	assert.Equal(t, types.DeviceRememberedStatusTypeRemembered, callsTo[cip.UpdateDeviceStatusInput](d.f, "UpdateDeviceStatus")[0].DeviceRememberedStatus)
	require.NoError(t, c.UpdateDeviceStatus(ctx, res.Tokens.AccessToken, devKey, false))
	assert.Equal(t, types.DeviceRememberedStatusTypeNotRemembered, callsTo[cip.UpdateDeviceStatusInput](d.f, "UpdateDeviceStatus")[1].DeviceRememberedStatus)
	require.ErrorIs(t, c.UpdateDeviceStatus(ctx, res.Tokens.AccessToken, "nope", true), ErrResourceNotFound)

	pages := 0
	on(d.f, "ListDevices", func(_ context.Context, in *cip.ListDevicesInput) (*cip.ListDevicesOutput, error) {
		pages++
		if in.PaginationToken == nil {
			return &cip.ListDevicesOutput{Devices: []types.DeviceType{{DeviceKey: aws.String(devKey), DeviceAttributes: []types.AttributeType{
				{Name: aws.String("device_name"), Value: aws.String("laptop")}, {Name: aws.String("device_status"), Value: aws.String("remembered")},
			}}}, PaginationToken: aws.String("p2")}, nil
		}
		return &cip.ListDevicesOutput{Devices: []types.DeviceType{{DeviceKey: aws.String("k2")}}}, nil
	})
	devs, err := c.ListDevices(ctx, res.Tokens.AccessToken)
	require.NoError(t, err)
	require.Len(t, devs, 2)
	assert.Equal(t, 2, pages)
	assert.Equal(t, "laptop", devs[0].Name())
	assert.True(t, devs[0].Remembered())
	assert.False(t, devs[1].Remembered())
	on(d.f, "ListDevices", func(_ context.Context, in *cip.ListDevicesInput) (*cip.ListDevicesOutput, error) {
		return nil, apiErr("NotAuthorizedException", "Access Token has been revoked")
	})
	_, err = c.ListDevices(ctx, "revoked")
	require.ErrorIs(t, err, ErrNotAuthorized)

	require.NoError(t, c.ForgetDevice(ctx, res.Tokens.AccessToken, devKey, "uuid-liam"))
	dev, err := c.RememberedDevice(ctx, "uuid-liam")
	require.NoError(t, err)
	assert.Nil(t, dev)
	require.ErrorIs(t, c.ForgetDevice(ctx, res.Tokens.AccessToken, devKey, "uuid-liam"), ErrResourceNotFound)
}

func TestMemoryDeviceStoreConcurrent(t *testing.T) {
	s := NewMemoryDeviceStore()
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprint("u", i)
			require.NoError(t, s.SaveDevice(ctx, testPool, name, Device{Key: name}))
			d, err := s.LoadDevice(ctx, testPool, name)
			assert.NoError(t, err)
			assert.Equal(t, name, d.Key)
			assert.NoError(t, s.DeleteDevice(ctx, testPool, name))
		}()
	}
	wg.Wait()
	d, err := s.LoadDevice(ctx, "other-pool", "u1")
	require.NoError(t, err)
	assert.Nil(t, d)
}

func TestDeviceForgottenDuringDeviceCheck(t *testing.T) {
	// The device disappears between PASSWORD_VERIFIER and DEVICE_SRP_AUTH:
	// the whole sign-in starts again without it.
	ctx := context.Background()
	d := newDeviceFake(t)
	store := NewMemoryDeviceStore()
	c := newTestClient(d.f, withSecret, func(o *Options) { o.DeviceStore = store })
	res, err := c.SignIn(ctx, "uuid-liam", "pw-liam")
	require.NoError(t, err)
	_, err = c.ConfirmDevice(ctx, res.Tokens, "")
	require.NoError(t, err)
	d.mu.Lock()
	d.forgetAtDeviceSRP = true
	d.mu.Unlock()

	res, err = c.SignIn(ctx, "uuid-liam", "pw-liam")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
	dev, err := store.LoadDevice(ctx, testPool, "uuid-liam")
	require.NoError(t, err)
	assert.Nil(t, dev)
	inits := callsTo[cip.InitiateAuthInput](d.f, "InitiateAuth")
	require.Len(t, inits, 3)
	assert.Equal(t, devKey, inits[1].AuthParameters["DEVICE_KEY"])
	assert.NotContains(t, inits[2].AuthParameters, "DEVICE_KEY")
}
