package cognito

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// Flow selects how SignIn authenticates.
type Flow string

// The sign-in flows. The app client must allow the flow (its
// ExplicitAuthFlows), or Cognito answers ErrNotAuthorized.
const (
	// FlowUserSRP is USER_SRP_AUTH: the password never leaves the client;
	// an SRP-6a proof is sent instead. The default, and the right choice
	// for apps that users run.
	FlowUserSRP Flow = "USER_SRP_AUTH"
	// FlowUserPassword is USER_PASSWORD_AUTH: the password is sent to
	// Cognito over TLS. Needed for user migration Lambda triggers.
	FlowUserPassword Flow = "USER_PASSWORD_AUTH"
	// FlowCustom is CUSTOM_AUTH without a password: the pool's Lambda
	// triggers issue CUSTOM_CHALLENGEs. SignIn's password must be empty.
	FlowCustom Flow = "CUSTOM_AUTH"
	// FlowCustomWithSRP is CUSTOM_AUTH that starts with an SRP password
	// check (CHALLENGE_NAME=SRP_A) before the custom challenges.
	FlowCustomWithSRP Flow = "CUSTOM_AUTH_WITH_SRP"
	// FlowAdminUserPassword is ADMIN_USER_PASSWORD_AUTH through
	// AdminInitiateAuth: a trusted back end with IAM credentials signs a
	// user in with the password. Challenges are answered with
	// AdminRespondToAuthChallenge.
	FlowAdminUserPassword Flow = "ADMIN_USER_PASSWORD_AUTH"
	// FlowAdminNoSRP is ADMIN_NO_SRP_AUTH, the older name of
	// FlowAdminUserPassword.
	FlowAdminNoSRP Flow = "ADMIN_NO_SRP_AUTH"
)

// admin reports whether the flow goes through the Admin* operations.
func (f Flow) admin() bool { return f == FlowAdminUserPassword || f == FlowAdminNoSRP }

// SignInOptions are the per-call options of SignIn.
type SignInOptions struct {
	// Flow is the authentication flow; default FlowUserSRP.
	Flow Flow
	// ClientMetadata is sent to the pool's Lambda triggers; it replaces
	// Options.ClientMetadata for this sign-in and its challenges.
	ClientMetadata map[string]string
	// NoDevice makes the sign-in ignore any remembered device.
	NoDevice bool
	// PreferredFactor (FlowUserAuth only) asks Cognito to start with this
	// first factor (PREFERRED_CHALLENGE) instead of offering the choice
	// (SELECT_CHALLENGE). FactorPassword and FactorPasswordSRP take
	// SignIn's password; the other factors take none.
	PreferredFactor Factor
}

// Result is the outcome of a sign-in step: exactly one of Tokens and
// Challenge is set.
type Result struct {
	// Tokens is set when the user is signed in.
	Tokens *Tokens
	// Challenge is set when Cognito wants more: answer it with one of its
	// Respond… methods, which return the next Result.
	Challenge *Challenge
}

// String describes the result without tokens or session.
func (r *Result) String() string {
	switch {
	case r == nil:
		return "cognito.Result(nil)"
	case r.Tokens != nil:
		return "cognito.Result{" + r.Tokens.String() + "}"
	case r.Challenge != nil:
		return "cognito.Result{" + r.Challenge.String() + "}"
	}
	return "cognito.Result{}"
}

// authState is what a sign-in carries from step to step.
type authState struct {
	flow Flow
	// username is the Cognito username: what the user typed until Cognito
	// names it in USER_ID_FOR_SRP; SECRET_HASH and USERNAME use it.
	username string
	// signInName is what the user typed.
	signInName string
	device     *Device
	noDevice   bool
	metadata   map[string]string
	// factor is FlowUserAuth's preferred first factor.
	factor Factor
}

// authOutput is the common part of the four auth operations' outputs.
type authOutput struct {
	name    types.ChallengeNameType
	params  map[string]string
	session string
	result  *types.AuthenticationResultType
	// available is InitiateAuth's AvailableChallenges (USER_AUTH).
	available []types.ChallengeNameType
}

// SignIn authenticates username with password using the flow in the
// options (USER_SRP_AUTH by default). It returns tokens, or a Challenge to
// answer (new password, MFA, custom challenge). PASSWORD_VERIFIER and, for a
// device remembered with ConfirmDevice, DEVICE_SRP_AUTH are answered
// automatically. username may be an alias (e-mail, phone); the Cognito
// username from USER_ID_FOR_SRP is used for every later step.
//
// A wrong password is ErrNotAuthorized; other failures are the sentinels
// of errors.go. The password never appears in an error.
func (c *Client) SignIn(ctx context.Context, username, password string, optFns ...func(*SignInOptions)) (*Result, error) {
	o := SignInOptions{Flow: FlowUserSRP, ClientMetadata: c.metadata}
	for _, fn := range optFns {
		fn(&o)
	}
	if username == "" {
		return nil, fmt.Errorf("cognito: SignIn: %w", ErrUsernameRequired)
	}
	switch o.Flow {
	case FlowCustom:
		if password != "" {
			return nil, fmt.Errorf("cognito: SignIn: %w: FlowCustom takes no password (use FlowCustomWithSRP)", ErrInvalidParameter)
		}
	case FlowUserSRP, FlowUserPassword, FlowCustomWithSRP, FlowAdminUserPassword, FlowAdminNoSRP:
		if password == "" {
			return nil, fmt.Errorf("cognito: SignIn: %w: empty password", ErrInvalidParameter)
		}
	case FlowUserAuth:
		if err := checkUserAuthOptions(o.PreferredFactor, password); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("cognito: SignIn: %w: unknown flow %q", ErrInvalidParameter, o.Flow)
	}
	st := &authState{flow: o.Flow, username: username, signInName: username, noDevice: o.NoDevice, metadata: o.ClientMetadata, factor: o.PreferredFactor}
	if !o.NoDevice {
		d, err := c.loadDevice(ctx, username)
		if err != nil {
			return nil, err
		}
		st.device = d
	}
	res, err := c.signIn(ctx, st, password)
	if err != nil && st.device != nil && isDeviceNotFound(err) {
		// The remembered device was forgotten server-side while the device
		// check ran: forget it here too and sign in again without it.
		if ferr := c.forgetLocalDevice(ctx, st.username, st.signInName); ferr != nil {
			return nil, ferr
		}
		st = &authState{flow: o.Flow, username: username, signInName: username, noDevice: true, metadata: o.ClientMetadata, factor: o.PreferredFactor}
		return c.signIn(ctx, st, password)
	}
	return res, err
}

// AdminSignIn is SignIn with FlowAdminUserPassword (ADMIN_USER_PASSWORD_AUTH)
// unless the options choose FlowAdminNoSRP. It needs IAM credentials allowed
// to call cognito-idp:AdminInitiateAuth.
func (c *Client) AdminSignIn(ctx context.Context, username, password string, optFns ...func(*SignInOptions)) (*Result, error) {
	fns := append([]func(*SignInOptions){func(o *SignInOptions) { o.Flow = FlowAdminUserPassword }}, optFns...)
	return c.SignIn(ctx, username, password, fns...)
}

func (c *Client) signIn(ctx context.Context, st *authState, password string) (*Result, error) {
	params := map[string]string{"USERNAME": st.username}
	c.setSecretHash(params, st.username)
	var flow types.AuthFlowType
	var sc *srp.Client
	switch st.flow {
	case FlowUserSRP, FlowCustomWithSRP:
		var err error
		sc, err = srp.NewClient(c.rand)
		if err != nil {
			return nil, fmt.Errorf("cognito: SignIn: %w", err)
		}
		params["SRP_A"] = sc.SRPA()
		flow = types.AuthFlowTypeUserSrpAuth
		if st.flow == FlowCustomWithSRP {
			flow = types.AuthFlowTypeCustomAuth
			params["CHALLENGE_NAME"] = "SRP_A"
		}
	case FlowUserPassword:
		flow = types.AuthFlowTypeUserPasswordAuth
		params["PASSWORD"] = password
	case FlowCustom:
		flow = types.AuthFlowTypeCustomAuth
	case FlowAdminUserPassword:
		flow = types.AuthFlowTypeAdminUserPasswordAuth
		params["PASSWORD"] = password
	case FlowAdminNoSRP:
		flow = types.AuthFlowTypeAdminNoSrpAuth
		params["PASSWORD"] = password
	case FlowUserAuth:
		flow = types.AuthFlowTypeUserAuth
		var err error
		if sc, err = c.userAuthParams(params, st.factor, password); err != nil {
			return nil, err
		}
	}
	out, err := c.initiate(ctx, st, flow, params)
	if err != nil {
		return nil, err
	}
	if out.result == nil && out.name == types.ChallengeNameTypePasswordVerifier {
		if sc == nil {
			return nil, fmt.Errorf("cognito: %w: PASSWORD_VERIFIER in a flow without SRP", ErrInvalidResponse)
		}
		c.noteUsername(ctx, st, out.params)
		out, err = c.answerPasswordVerifier(ctx, st, sc, password, out)
		if err != nil {
			return nil, err
		}
	}
	return c.next(ctx, st, out)
}

// answerPasswordVerifier computes the SRP proof for PASSWORD_VERIFIER.
func (c *Client) answerPasswordVerifier(ctx context.Context, st *authState, sc *srp.Client, password string, out authOutput) (authOutput, error) {
	p := out.params
	for _, k := range []string{"SRP_B", "SALT", "SECRET_BLOCK"} {
		if p[k] == "" {
			return authOutput{}, fmt.Errorf("cognito: %w: PASSWORD_VERIFIER without %s", ErrInvalidResponse, k)
		}
	}
	sig, ts, err := sc.PasswordClaim(c.poolName, st.username, password, p["SRP_B"], p["SALT"], p["SECRET_BLOCK"], c.clock())
	if err != nil {
		return authOutput{}, fmt.Errorf("cognito: %w: PASSWORD_VERIFIER: %w", ErrInvalidResponse, err)
	}
	return c.respondRaw(ctx, st, types.ChallengeNameTypePasswordVerifier, out.session, map[string]string{
		"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE":    sig,
		"TIMESTAMP":                   ts,
	})
}

// noteUsername switches to the Cognito username once a challenge names it,
// and picks up a device remembered under that name.
func (c *Client) noteUsername(ctx context.Context, st *authState, params map[string]string) {
	u := params["USER_ID_FOR_SRP"]
	if u == "" && st.flow == FlowUserAuth {
		u = params["USERNAME"] // USER_AUTH names the user this way too
	}
	if u == "" || u == st.username {
		return
	}
	st.username = u
	if st.device == nil && !st.noDevice {
		// Best effort: a store error here only costs the device shortcut.
		if d, err := c.loadDevice(ctx, u); err == nil {
			st.device = d
		}
	}
}

// next turns an auth response into a Result, answering device challenges
// on the way.
func (c *Client) next(ctx context.Context, st *authState, out authOutput) (*Result, error) {
	for range 4 {
		if out.result != nil {
			t, err := c.tokensFrom(out.result, st.username, st.signInName)
			if err != nil {
				return nil, err
			}
			return &Result{Tokens: t}, nil
		}
		if out.name == "" {
			return nil, fmt.Errorf("cognito: %w: neither tokens nor a challenge", ErrInvalidResponse)
		}
		c.noteUsername(ctx, st, out.params)
		if out.name != types.ChallengeNameTypeDeviceSrpAuth {
			if err := checkChallengeParams(out); err != nil {
				return nil, err
			}
			return &Result{Challenge: newChallenge(c, st, out)}, nil
		}
		var err error
		out, err = c.answerDeviceSRP(ctx, st, out)
		if err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("cognito: %w: too many device challenges", ErrInvalidResponse)
}

// answerDeviceSRP answers DEVICE_SRP_AUTH and the DEVICE_PASSWORD_VERIFIER
// that follows with the remembered device's secret.
func (c *Client) answerDeviceSRP(ctx context.Context, st *authState, out authOutput) (authOutput, error) {
	d := st.device
	if d == nil {
		return authOutput{}, fmt.Errorf("cognito: %w: DEVICE_SRP_AUTH but no device is remembered", ErrInvalidResponse)
	}
	sc, err := srp.NewClient(c.rand)
	if err != nil {
		return authOutput{}, fmt.Errorf("cognito: device SRP: %w", err)
	}
	out, err = c.respondRaw(ctx, st, types.ChallengeNameTypeDeviceSrpAuth, out.session, map[string]string{
		"SRP_A": sc.SRPA(),
	})
	if err != nil {
		return authOutput{}, err
	}
	if out.result != nil || out.name != types.ChallengeNameTypeDevicePasswordVerifier {
		return out, nil
	}
	p := out.params
	for _, k := range []string{"SRP_B", "SALT", "SECRET_BLOCK"} {
		if p[k] == "" {
			return authOutput{}, fmt.Errorf("cognito: %w: DEVICE_PASSWORD_VERIFIER without %s", ErrInvalidResponse, k)
		}
	}
	sig, ts, err := sc.PasswordClaim(d.GroupKey, d.Key, d.Password, p["SRP_B"], p["SALT"], p["SECRET_BLOCK"], c.clock())
	if err != nil {
		return authOutput{}, fmt.Errorf("cognito: %w: DEVICE_PASSWORD_VERIFIER: %w", ErrInvalidResponse, err)
	}
	return c.respondRaw(ctx, st, types.ChallengeNameTypeDevicePasswordVerifier, out.session, map[string]string{
		"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE":    sig,
		"TIMESTAMP":                   ts,
	})
}

// initiate calls InitiateAuth or AdminInitiateAuth, adding DEVICE_KEY for a
// remembered device and retrying without it when Cognito no longer knows
// the device.
func (c *Client) initiate(ctx context.Context, st *authState, flow types.AuthFlowType, params map[string]string) (authOutput, error) {
	out, err := c.initiateOnce(ctx, st, flow, params)
	if err != nil && st.device != nil && isDeviceNotFound(err) {
		if ferr := c.forgetLocalDevice(ctx, st.username, st.signInName); ferr != nil {
			return authOutput{}, ferr
		}
		st.device, st.noDevice = nil, true
		out, err = c.initiateOnce(ctx, st, flow, params)
	}
	return out, err
}

func (c *Client) initiateOnce(ctx context.Context, st *authState, flow types.AuthFlowType, params map[string]string) (authOutput, error) {
	p := make(map[string]string, len(params)+1)
	for k, v := range params {
		p[k] = v
	}
	if st.device != nil {
		p["DEVICE_KEY"] = st.device.Key
	}
	if st.flow.admin() {
		resp, err := c.api.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
			AuthFlow:       flow,
			ClientId:       aws.String(c.clientID),
			UserPoolId:     aws.String(c.userPoolID),
			AuthParameters: p,
			ClientMetadata: st.metadata,
		}, c.apiOptions...)
		if err != nil {
			return authOutput{}, wrapErr("AdminInitiateAuth", err)
		}
		return authOutput{resp.ChallengeName, resp.ChallengeParameters, aws.ToString(resp.Session), resp.AuthenticationResult, resp.AvailableChallenges}, nil
	}
	resp, err := c.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       flow,
		ClientId:       aws.String(c.clientID),
		AuthParameters: p,
		ClientMetadata: st.metadata,
	}, c.apiOptions...)
	if err != nil {
		return authOutput{}, wrapErr("InitiateAuth", err)
	}
	return authOutput{resp.ChallengeName, resp.ChallengeParameters, aws.ToString(resp.Session), resp.AuthenticationResult, resp.AvailableChallenges}, nil
}

// respondRaw calls RespondToAuthChallenge or AdminRespondToAuthChallenge
// with USERNAME, SECRET_HASH and DEVICE_KEY added, retrying without the
// device when Cognito no longer knows it.
func (c *Client) respondRaw(ctx context.Context, st *authState, name types.ChallengeNameType, session string, responses map[string]string) (authOutput, error) {
	out, err := c.respondOnce(ctx, st, name, session, responses)
	if err != nil && st.device != nil && isDeviceNotFound(err) &&
		name != types.ChallengeNameTypeDeviceSrpAuth && name != types.ChallengeNameTypeDevicePasswordVerifier {
		if ferr := c.forgetLocalDevice(ctx, st.username, st.signInName); ferr != nil {
			return authOutput{}, ferr
		}
		st.device, st.noDevice = nil, true
		out, err = c.respondOnce(ctx, st, name, session, responses)
	}
	return out, err
}

func (c *Client) respondOnce(ctx context.Context, st *authState, name types.ChallengeNameType, session string, responses map[string]string) (authOutput, error) {
	r := make(map[string]string, len(responses)+3)
	for k, v := range responses {
		r[k] = v
	}
	if r["USERNAME"] == "" {
		r["USERNAME"] = st.username
	}
	if _, ok := r["SECRET_HASH"]; !ok {
		c.setSecretHash(r, r["USERNAME"])
	}
	if st.device != nil && r["DEVICE_KEY"] == "" {
		r["DEVICE_KEY"] = st.device.Key
	}
	var sess *string
	if session != "" {
		sess = aws.String(session)
	}
	if st.flow.admin() {
		resp, err := c.api.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{
			ChallengeName:      name,
			ClientId:           aws.String(c.clientID),
			UserPoolId:         aws.String(c.userPoolID),
			ChallengeResponses: r,
			ClientMetadata:     st.metadata,
			Session:            sess,
		}, c.apiOptions...)
		if err != nil {
			return authOutput{}, wrapErr("AdminRespondToAuthChallenge", err)
		}
		return authOutput{name: resp.ChallengeName, params: resp.ChallengeParameters, session: aws.ToString(resp.Session), result: resp.AuthenticationResult}, nil
	}
	resp, err := c.api.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName:      name,
		ClientId:           aws.String(c.clientID),
		ChallengeResponses: r,
		ClientMetadata:     st.metadata,
		Session:            sess,
	}, c.apiOptions...)
	if err != nil {
		return authOutput{}, wrapErr("RespondToAuthChallenge", err)
	}
	return authOutput{name: resp.ChallengeName, params: resp.ChallengeParameters, session: aws.ToString(resp.Session), result: resp.AuthenticationResult}, nil
}
