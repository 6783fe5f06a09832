package cognito

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// installSRP makes f answer USER_SRP_AUTH (or CUSTOM_AUTH with SRP_A) for
// user, whose Cognito username is u.userID, signing in as alias. After the
// password check, next decides the response.
func installSRP(t *testing.T, f *fakeAPI, u *srpVerifierUser, secret bool, next func() (*cip.RespondToAuthChallengeOutput, error)) {
	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if secret {
			if err := checkSecretHash(in.AuthParameters); err != nil {
				return nil, err
			}
		}
		if _, ok := in.AuthParameters["PASSWORD"]; ok {
			return nil, apiErr("InvalidParameterException", "SRP flow got a PASSWORD")
		}
		return &cip.InitiateAuthOutput{
			ChallengeName:       types.ChallengeNameTypePasswordVerifier,
			ChallengeParameters: u.challenge(t, in.AuthParameters["SRP_A"]),
			Session:             aws.String("sess-0"),
		}, nil
	})
	onChallenges(t, f, "sess-0", challengeHandlers{
		types.ChallengeNameTypePasswordVerifier: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
			if in.ChallengeResponses["USERNAME"] != u.userID {
				return nil, apiErr("UserNotFoundException", "User does not exist.")
			}
			if secret {
				if err := checkSecretHash(in.ChallengeResponses); err != nil {
					return nil, err
				}
			}
			if err := u.verify(in.ChallengeResponses); err != nil {
				return nil, err
			}
			return next()
		},
	})
}

func TestSignInSRP(t *testing.T) {
	for _, tc := range []struct {
		name     string
		typed    string // what the user types (alias)
		password string
		secret   bool
		wantErr  error
	}{
		{name: "username", typed: "alice", password: "Correct-Horse-1"},
		{name: "alias with secret", typed: "alice@example.com", password: "Correct-Horse-1", secret: true},
		{name: "wrong password", typed: "alice", password: "wrong", wantErr: ErrNotAuthorized},
		{name: "wrong password with secret", typed: "alice@example.com", password: "wrong", secret: true, wantErr: ErrNotAuthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			u := newSRPUser(t, srp.PoolName(testPool), "0f6e-sub-alice", "Correct-Horse-1")
			installSRP(t, f, u, tc.secret, func() (*cip.RespondToAuthChallengeOutput, error) {
				return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult(u.userID, true)}, nil
			})
			var opts []func(*Options)
			if tc.secret {
				opts = append(opts, withSecret)
			}
			c := newTestClient(f, opts...)
			res, err := c.SignIn(context.Background(), tc.typed, tc.password)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.NotContains(t, err.Error(), tc.password)
				assert.NotContains(t, err.Error(), testSecret)
				var ce *Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "NotAuthorizedException", ce.Code)
				assert.Equal(t, "RespondToAuthChallenge", ce.Op)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
			assert.Nil(t, res.Challenge)
			assert.Equal(t, u.userID, res.Tokens.Username)
			assert.Equal(t, "refresh-"+u.userID, res.Tokens.RefreshToken)
			assert.Equal(t, testNow.Add(3600e9), res.Tokens.Expiry)

			init := callsTo[cip.InitiateAuthInput](f, "InitiateAuth")[0]
			assert.Equal(t, types.AuthFlowTypeUserSrpAuth, init.AuthFlow)
			assert.Equal(t, tc.typed, init.AuthParameters["USERNAME"])
			resp := callsTo[cip.RespondToAuthChallengeInput](f, "RespondToAuthChallenge")[0]
			assert.Equal(t, u.userID, resp.ChallengeResponses["USERNAME"], "USER_ID_FOR_SRP, not the alias")
		})
	}
}

func TestSignInSRPMalformedServer(t *testing.T) {
	good := newSRPUser(t, srp.PoolName(testPool), "bob", "pw")
	for _, tc := range []struct {
		name   string
		mutate func(map[string]string)
	}{
		{"B is zero", func(p map[string]string) { p["SRP_B"] = "0" }},
		{"B is N", func(p map[string]string) { p["SRP_B"] = srp.N().Text(16) }},
		{"B not hex", func(p map[string]string) { p["SRP_B"] = "zz-not-hex" }},
		{"salt not hex", func(p map[string]string) { p["SALT"] = "salt?" }},
		{"secret block not base64", func(p map[string]string) { p["SECRET_BLOCK"] = "%%%" }},
		{"missing SRP_B", func(p map[string]string) { delete(p, "SRP_B") }},
		{"missing SALT", func(p map[string]string) { delete(p, "SALT") }},
		{"missing SECRET_BLOCK", func(p map[string]string) { delete(p, "SECRET_BLOCK") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				p := good.challenge(t, in.AuthParameters["SRP_A"])
				tc.mutate(p)
				return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeParameters: p, Session: aws.String("s")}, nil
			})
			_, err := newTestClient(f).SignIn(context.Background(), "bob", "pw")
			require.ErrorIs(t, err, ErrInvalidResponse)
			assert.NotContains(t, err.Error(), "pw\"")
			assert.Empty(t, callsTo[cip.RespondToAuthChallengeInput](f, "RespondToAuthChallenge"), "nothing sent after a bad challenge")
		})
	}
	t.Run("valid control", func(t *testing.T) {
		f := newFake()
		installSRP(t, f, good, false, func() (*cip.RespondToAuthChallengeOutput, error) {
			return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("bob", true)}, nil
		})
		res, err := newTestClient(f).SignIn(context.Background(), "bob", "pw")
		require.NoError(t, err)
		require.NotNil(t, res.Tokens)
	})
}

func TestSignInPasswordFlows(t *testing.T) {
	for _, tc := range []struct {
		name     string
		flow     Flow
		admin    bool
		wantFlow types.AuthFlowType
		password string
		wantErr  error
	}{
		{"user password", FlowUserPassword, false, types.AuthFlowTypeUserPasswordAuth, "pw1", nil},
		{"user password wrong", FlowUserPassword, false, types.AuthFlowTypeUserPasswordAuth, "nope", ErrNotAuthorized},
		{"admin user password", FlowAdminUserPassword, true, types.AuthFlowTypeAdminUserPasswordAuth, "pw1", nil},
		{"admin no srp", FlowAdminNoSRP, true, types.AuthFlowTypeAdminNoSrpAuth, "pw1", nil},
		{"admin wrong", FlowAdminUserPassword, true, types.AuthFlowTypeAdminUserPasswordAuth, "nope", ErrNotAuthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			check := func(flow types.AuthFlowType, p map[string]string) (*types.AuthenticationResultType, error) {
				if flow != tc.wantFlow {
					return nil, apiErr("InvalidParameterException", "flow")
				}
				if err := checkSecretHash(p); err != nil {
					return nil, err
				}
				if p["PASSWORD"] != "pw1" {
					return nil, apiErr("NotAuthorizedException", "Incorrect username or password.")
				}
				return authResult(p["USERNAME"], true), nil
			}
			on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				r, err := check(in.AuthFlow, in.AuthParameters)
				return &cip.InitiateAuthOutput{AuthenticationResult: r}, err
			})
			on(f, "AdminInitiateAuth", func(_ context.Context, in *cip.AdminInitiateAuthInput) (*cip.AdminInitiateAuthOutput, error) {
				if aws.ToString(in.UserPoolId) != testPool {
					return nil, apiErr("ResourceNotFoundException", "pool")
				}
				r, err := check(in.AuthFlow, in.AuthParameters)
				return &cip.AdminInitiateAuthOutput{AuthenticationResult: r}, err
			})
			c := newTestClient(f, withSecret)
			res, err := c.SignIn(context.Background(), "carol", tc.password, func(o *SignInOptions) { o.Flow = tc.flow })
			if tc.admin {
				assert.Len(t, callsTo[cip.AdminInitiateAuthInput](f, "AdminInitiateAuth"), 1)
			} else {
				assert.Len(t, callsTo[cip.InitiateAuthInput](f, "InitiateAuth"), 1)
			}
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.NotContains(t, err.Error(), tc.password)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "carol", res.Tokens.Username)
		})
	}
}

func TestSignInBadArguments(t *testing.T) {
	c := newTestClient(newFake())
	for _, tc := range []struct {
		name, user, pw string
		flow           Flow
		want           error
	}{
		{"no username", "", "pw", FlowUserSRP, ErrUsernameRequired},
		{"no password", "u", "", FlowUserSRP, ErrInvalidParameter},
		{"custom with password", "u", "pw", FlowCustom, ErrInvalidParameter},
		{"unknown flow", "u", "pw", Flow("MAGIC"), ErrInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.SignIn(context.Background(), tc.user, tc.pw, func(o *SignInOptions) { o.Flow = tc.flow })
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestSignInNeitherTokensNorChallenge(t *testing.T) {
	f := newFake()
	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return &cip.InitiateAuthOutput{}, nil
	})
	_, err := newTestClient(f).SignIn(context.Background(), "u", "pw", func(o *SignInOptions) { o.Flow = FlowUserPassword })
	require.ErrorIs(t, err, ErrInvalidResponse)

	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return &cip.InitiateAuthOutput{AuthenticationResult: &types.AuthenticationResultType{}}, nil
	})
	_, err = newTestClient(f).SignIn(context.Background(), "u", "pw", func(o *SignInOptions) { o.Flow = FlowUserPassword })
	require.ErrorIs(t, err, ErrInvalidResponse, "tokens without an access token")

	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypePasswordVerifier}, nil
	})
	_, err = newTestClient(f).SignIn(context.Background(), "u", "pw", func(o *SignInOptions) { o.Flow = FlowUserPassword })
	require.ErrorIs(t, err, ErrInvalidResponse, "PASSWORD_VERIFIER without SRP")
}

func TestCustomAuth(t *testing.T) {
	custom := func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
		if in.ChallengeResponses["ANSWER"] != "42" {
			return nil, apiErr("NotAuthorizedException", "Incorrect answer.")
		}
		return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult(in.ChallengeResponses["USERNAME"], true)}, nil
	}
	customChallenge := map[string]string{"USERNAME": "dave", "question": "6*7?"}
	t.Run("without SRP", func(t *testing.T) {
		for _, answer := range []string{"42", "41"} {
			f := newFake()
			on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				require.Equal(t, types.AuthFlowTypeCustomAuth, in.AuthFlow)
				require.NotContains(t, in.AuthParameters, "SRP_A")
				if err := checkSecretHash(in.AuthParameters); err != nil {
					return nil, err
				}
				return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypeCustomChallenge, ChallengeParameters: customChallenge, Session: aws.String("c0")}, nil
			})
			onChallenges(t, f, "c0", challengeHandlers{types.ChallengeNameTypeCustomChallenge: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
				if err := checkSecretHash(in.ChallengeResponses); err != nil {
					return nil, err
				}
				return custom(in)
			}})
			c := newTestClient(f, withSecret)
			res, err := c.SignIn(context.Background(), "dave", "", func(o *SignInOptions) { o.Flow = FlowCustom })
			require.NoError(t, err)
			require.NotNil(t, res.Challenge)
			assert.Equal(t, ChallengeCustom, res.Challenge.Name)
			assert.Equal(t, "6*7?", res.Challenge.Parameters["question"])
			_, err = res.Challenge.RespondMFA(context.Background(), "1")
			require.ErrorIs(t, err, ErrWrongChallenge)
			res, err = res.Challenge.RespondCustom(context.Background(), answer)
			if answer != "42" {
				require.ErrorIs(t, err, ErrNotAuthorized)
				continue
			}
			require.NoError(t, err)
			assert.Equal(t, "dave", res.Tokens.Username)
		}
	})
	t.Run("with SRP first", func(t *testing.T) {
		for _, pw := range []string{"pw-dave", "wrong"} {
			f := newFake()
			u := newSRPUser(t, srp.PoolName(testPool), "dave", "pw-dave")
			on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				if in.AuthFlow != types.AuthFlowTypeCustomAuth || in.AuthParameters["CHALLENGE_NAME"] != "SRP_A" {
					return nil, apiErr("InvalidParameterException", "want CUSTOM_AUTH with CHALLENGE_NAME=SRP_A")
				}
				return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeParameters: u.challenge(t, in.AuthParameters["SRP_A"]), Session: aws.String("c0")}, nil
			})
			onChallenges(t, f, "c0", challengeHandlers{
				types.ChallengeNameTypePasswordVerifier: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					if err := u.verify(in.ChallengeResponses); err != nil {
						return nil, err
					}
					return &cip.RespondToAuthChallengeOutput{ChallengeName: types.ChallengeNameTypeCustomChallenge, ChallengeParameters: customChallenge}, nil
				},
				types.ChallengeNameTypeCustomChallenge: custom,
			})
			res, err := newTestClient(f).SignIn(context.Background(), "dave", pw, func(o *SignInOptions) { o.Flow = FlowCustomWithSRP })
			if pw == "wrong" {
				require.ErrorIs(t, err, ErrNotAuthorized)
				continue
			}
			require.NoError(t, err)
			require.Equal(t, ChallengeCustom, res.Challenge.Name)
			res, err = res.Challenge.RespondCustom(context.Background(), "42")
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
		}
	})
}

// challengeAfterPassword sets f up so that USER_PASSWORD_AUTH answers with
// first, and the challenge handlers take over from there.
func challengeAfterPassword(t *testing.T, f *fakeAPI, first types.ChallengeNameType, params map[string]string, hs challengeHandlers) {
	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if in.AuthParameters["PASSWORD"] != "pw" {
			return nil, apiErr("NotAuthorizedException", "Incorrect username or password.")
		}
		return &cip.InitiateAuthOutput{ChallengeName: first, ChallengeParameters: params, Session: aws.String("m0")}, nil
	})
	onChallenges(t, f, "m0", hs)
}

func passwordFlow(o *SignInOptions) { o.Flow = FlowUserPassword }

func TestMFAChallenges(t *testing.T) {
	for _, tc := range []struct {
		name ChallengeName
		key  string
	}{
		{ChallengeSMSMFA, "SMS_MFA_CODE"},
		{ChallengeEmailOTP, "EMAIL_OTP_CODE"},
		{ChallengeSoftwareTokenMFA, "SOFTWARE_TOKEN_MFA_CODE"},
	} {
		for _, code := range []string{"123456", "000000"} {
			t.Run(fmt.Sprintf("%s/%s", tc.name, code), func(t *testing.T) {
				f := newFake()
				challengeAfterPassword(t, f, tc.name, map[string]string{
					"USER_ID_FOR_SRP":               "uuid-erin",
					"CODE_DELIVERY_DESTINATION":     "+*******1234",
					"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
				}, challengeHandlers{tc.name: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					if err := checkSecretHash(in.ChallengeResponses); err != nil {
						return nil, err
					}
					if in.ChallengeResponses["USERNAME"] != "uuid-erin" {
						return nil, apiErr("NotAuthorizedException", "wrong username")
					}
					if in.ChallengeResponses[tc.key] != "123456" {
						return nil, apiErr("CodeMismatchException", "Invalid code received for user")
					}
					return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("uuid-erin", true)}, nil
				}})
				c := newTestClient(f, withSecret)
				res, err := c.SignIn(context.Background(), "erin@example.com", "pw", passwordFlow)
				require.NoError(t, err)
				ch := res.Challenge
				require.NotNil(t, ch)
				assert.Equal(t, tc.name, ch.Name)
				assert.Equal(t, "uuid-erin", ch.Username)
				if tc.name != ChallengeSoftwareTokenMFA {
					assert.Equal(t, "+*******1234", ch.Destination)
				}
				assert.NotContains(t, ch.String(), "m0", "no session in String")
				assert.NotContains(t, fmt.Sprintf("%#v", ch), "m0")
				_, err = ch.RespondMFA(context.Background(), "")
				require.ErrorIs(t, err, ErrInvalidParameter)
				_, err = ch.RespondNewPassword(context.Background(), "x", nil)
				require.ErrorIs(t, err, ErrWrongChallenge)
				res, err = ch.RespondMFA(context.Background(), code)
				if code != "123456" {
					require.ErrorIs(t, err, ErrCodeMismatch)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, "uuid-erin", res.Tokens.Username)
			})
		}
	}
}

func TestSelectMFAType(t *testing.T) {
	f := newFake()
	challengeAfterPassword(t, f, ChallengeSelectMFAType, map[string]string{
		"USER_ID_FOR_SRP": "frank", "MFAS_CAN_CHOOSE": `["SMS_MFA","SOFTWARE_TOKEN_MFA"]`,
	}, challengeHandlers{
		ChallengeSelectMFAType: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
			if in.ChallengeResponses["ANSWER"] != "SOFTWARE_TOKEN_MFA" {
				return nil, apiErr("InvalidParameterException", "bad answer")
			}
			return &cip.RespondToAuthChallengeOutput{ChallengeName: ChallengeSoftwareTokenMFA, ChallengeParameters: map[string]string{"USER_ID_FOR_SRP": "frank"}}, nil
		},
		ChallengeSoftwareTokenMFA: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
			return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("frank", true)}, nil
		},
	})
	res, err := newTestClient(f).SignIn(context.Background(), "frank", "pw", passwordFlow)
	require.NoError(t, err)
	ch := res.Challenge
	assert.Equal(t, []string{"SMS_MFA", "SOFTWARE_TOKEN_MFA"}, ch.MFAOptions)
	_, err = ch.SelectMFA(context.Background(), "EMAIL_OTP")
	require.ErrorIs(t, err, ErrInvalidParameter, "not offered")
	res, err = ch.SelectMFA(context.Background(), "SOFTWARE_TOKEN_MFA")
	require.NoError(t, err)
	require.Equal(t, ChallengeSoftwareTokenMFA, res.Challenge.Name)
	res, err = res.Challenge.RespondMFA(context.Background(), "654321")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
}

func TestMFASetup(t *testing.T) {
	for _, code := range []string{"111111", "999999"} {
		t.Run(code, func(t *testing.T) {
			f := newFake()
			challengeAfterPassword(t, f, ChallengeMFASetup, map[string]string{
				"USER_ID_FOR_SRP": "gina", "MFAS_CAN_SETUP": `["SOFTWARE_TOKEN_MFA"]`,
			}, challengeHandlers{
				ChallengeMFASetup: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("gina", true)}, nil
				},
			})
			on(f, "AssociateSoftwareToken", func(_ context.Context, in *cip.AssociateSoftwareTokenInput) (*cip.AssociateSoftwareTokenOutput, error) {
				if aws.ToString(in.Session) != "m0" {
					return nil, apiErr("NotAuthorizedException", "Invalid session")
				}
				return &cip.AssociateSoftwareTokenOutput{SecretCode: aws.String("JBSWY3DPEHPK3PXP"), Session: aws.String("assoc-1")}, nil
			})
			on(f, "VerifySoftwareToken", func(_ context.Context, in *cip.VerifySoftwareTokenInput) (*cip.VerifySoftwareTokenOutput, error) {
				if aws.ToString(in.Session) != "assoc-1" {
					return nil, apiErr("NotAuthorizedException", "Invalid session")
				}
				if aws.ToString(in.UserCode) != "111111" {
					return nil, apiErr("EnableSoftwareTokenMFAException", "Code mismatch")
				}
				return &cip.VerifySoftwareTokenOutput{Status: types.VerifySoftwareTokenResponseTypeSuccess, Session: aws.String("m0")}, nil
			})
			res, err := newTestClient(f).SignIn(context.Background(), "gina", "pw", passwordFlow)
			require.NoError(t, err)
			ch := res.Challenge
			require.Equal(t, ChallengeMFASetup, ch.Name)
			assert.Equal(t, []string{"SOFTWARE_TOKEN_MFA"}, ch.MFAOptions)
			_, err = ch.RespondMFA(context.Background(), "1")
			require.ErrorIs(t, err, ErrWrongChallenge)
			setup, err := ch.SetupTOTP(context.Background(), "Example Co")
			require.NoError(t, err)
			assert.Equal(t, "JBSWY3DPEHPK3PXP", setup.Secret)
			assert.Equal(t, "otpauth://totp/Example%20Co:gina?issuer=Example+Co&secret=JBSWY3DPEHPK3PXP", setup.URI)
			assert.NotContains(t, setup.String(), "JBSW")
			assert.NotContains(t, fmt.Sprintf("%#v %v %+v", setup, setup, *setup), "JBSW")
			res, err = ch.VerifyTOTP(context.Background(), code, "phone")
			if code != "111111" {
				require.ErrorIs(t, err, ErrEnableSoftwareTokenMFA)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
			assert.Equal(t, "phone", aws.ToString(callsTo[cip.VerifySoftwareTokenInput](f, "VerifySoftwareToken")[0].FriendlyDeviceName))
		})
	}
}

func TestVerifyTOTPStatusError(t *testing.T) {
	f := newFake()
	challengeAfterPassword(t, f, ChallengeMFASetup, map[string]string{"USER_ID_FOR_SRP": "gina"}, challengeHandlers{})
	on(f, "VerifySoftwareToken", func(_ context.Context, in *cip.VerifySoftwareTokenInput) (*cip.VerifySoftwareTokenOutput, error) {
		return &cip.VerifySoftwareTokenOutput{Status: types.VerifySoftwareTokenResponseTypeError}, nil
	})
	res, err := newTestClient(f).SignIn(context.Background(), "gina", "pw", passwordFlow)
	require.NoError(t, err)
	_, err = res.Challenge.VerifyTOTP(context.Background(), "1", "")
	require.ErrorIs(t, err, ErrEnableSoftwareTokenMFA)
}

func TestNewPasswordRequired(t *testing.T) {
	params := map[string]string{
		"USER_ID_FOR_SRP":    "henry",
		"requiredAttributes": `["userAttributes.name","userAttributes.family_name"]`,
		"userAttributes":     `{"email":"henry@example.com","email_verified":"true","family_name":"","phone_number_verified":false}`,
	}
	var got map[string]string
	handlers := func(admin bool) challengeHandlers {
		return challengeHandlers{ChallengeNewPasswordRequired: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
			got = in.ChallengeResponses
			for k := range got {
				if k == "userAttributes.email_verified" || k == "userAttributes.sub" || k == "userAttributes.email" {
					return nil, apiErr("InvalidParameterException", "Cannot modify the non-mutable attribute "+k)
				}
			}
			if got["NEW_PASSWORD"] == "short" {
				return nil, apiErr("InvalidPasswordException", "Password did not conform with policy")
			}
			return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("henry", true)}, nil
		}}
	}
	for _, tc := range []struct {
		name    string
		pw      string
		attrs   map[string]string
		wantErr error
	}{
		{"ok", "N3w-Password!", map[string]string{"name": "Henry", "family_name": "Ford", "email": "henry@example.com", "email_verified": "true", "sub": "x", "nickname": "hf"}, nil},
		{"missing required", "N3w-Password!", map[string]string{"name": "Henry"}, ErrMissingAttribute},
		{"policy", "short", map[string]string{"name": "Henry", "family_name": "Ford"}, ErrInvalidPassword},
		{"empty password", "", map[string]string{"name": "Henry", "family_name": "Ford"}, ErrInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			f := newFake()
			challengeAfterPassword(t, f, ChallengeNewPasswordRequired, params, handlers(false))
			res, err := newTestClient(f).SignIn(context.Background(), "henry", "pw", passwordFlow)
			require.NoError(t, err)
			ch := res.Challenge
			assert.Equal(t, []string{"name", "family_name"}, ch.RequiredAttributes)
			assert.Equal(t, "henry@example.com", ch.UserAttributes["email"])
			assert.Equal(t, "false", ch.UserAttributes["phone_number_verified"])
			res, err = ch.RespondNewPassword(context.Background(), tc.pw, tc.attrs)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				if tc.pw != "" {
					assert.NotContains(t, err.Error(), tc.pw)
				}
				return
			}
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
			assert.Equal(t, map[string]string{
				"NEW_PASSWORD":               "N3w-Password!",
				"USERNAME":                   "henry",
				"userAttributes.name":        "Henry",
				"userAttributes.family_name": "Ford",
				"userAttributes.nickname":    "hf",
			}, got)
		})
	}
}

func TestAdminChallenge(t *testing.T) {
	for _, pw := range []string{"N3w-Password!", "short"} {
		f := newFake()
		on(f, "AdminInitiateAuth", func(_ context.Context, in *cip.AdminInitiateAuthInput) (*cip.AdminInitiateAuthOutput, error) {
			return &cip.AdminInitiateAuthOutput{ChallengeName: ChallengeNewPasswordRequired, Session: aws.String("a0"), ChallengeParameters: map[string]string{
				"USER_ID_FOR_SRP": "ivy", "requiredAttributes": "[]", "userAttributes": `{"email":"ivy@example.com"}`,
			}}, nil
		})
		on(f, "AdminRespondToAuthChallenge", func(_ context.Context, in *cip.AdminRespondToAuthChallengeInput) (*cip.AdminRespondToAuthChallengeOutput, error) {
			if aws.ToString(in.Session) != "a0" || aws.ToString(in.UserPoolId) != testPool {
				return nil, apiErr("NotAuthorizedException", "Invalid session")
			}
			if err := checkSecretHash(in.ChallengeResponses); err != nil {
				return nil, err
			}
			if in.ChallengeResponses["NEW_PASSWORD"] == "short" {
				return nil, apiErr("InvalidPasswordException", "Password does not conform to policy")
			}
			return &cip.AdminRespondToAuthChallengeOutput{AuthenticationResult: authResult("ivy", true)}, nil
		})
		c := newTestClient(f, withSecret)
		res, err := c.AdminSignIn(context.Background(), "ivy@example.com", "Temp-1234")
		require.NoError(t, err)
		require.True(t, res.Challenge.Admin())
		res, err = res.Challenge.RespondNewPassword(context.Background(), pw, nil)
		if pw == "short" {
			require.ErrorIs(t, err, ErrInvalidPassword)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, "ivy", res.Tokens.Username)
		assert.Empty(t, callsTo[cip.RespondToAuthChallengeInput](f, "RespondToAuthChallenge"))
	}
}

func TestGenericRespond(t *testing.T) {
	f := newFake()
	challengeAfterPassword(t, f, types.ChallengeNameTypeSmsOtp, map[string]string{"USER_ID_FOR_SRP": "jo"}, challengeHandlers{
		types.ChallengeNameTypeSmsOtp: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
			if in.ChallengeResponses["SMS_OTP_CODE"] != "7" {
				return nil, apiErr("CodeMismatchException", "Invalid code")
			}
			return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("jo", false)}, nil
		},
	})
	res, err := newTestClient(f).SignIn(context.Background(), "jo", "pw", passwordFlow)
	require.NoError(t, err)
	_, err = res.Challenge.Respond(context.Background(), map[string]string{"SMS_OTP_CODE": "8"})
	require.ErrorIs(t, err, ErrCodeMismatch)
	res2, err := res.Challenge.Respond(context.Background(), map[string]string{"SMS_OTP_CODE": "7"})
	require.NoError(t, err)
	assert.Equal(t, "jo", res2.Tokens.Username)
	assert.Contains(t, res2.String(), "[redacted]")
	assert.False(t, strings.Contains(res2.String(), res2.Tokens.AccessToken))
}

func TestSRPThenMFAUsesCognitoUsername(t *testing.T) {
	f := newFake()
	u := newSRPUser(t, srp.PoolName(testPool), "uuid-kim", "pw-kim")
	installSRP(t, f, u, true, func() (*cip.RespondToAuthChallengeOutput, error) {
		return &cip.RespondToAuthChallengeOutput{ChallengeName: ChallengeSoftwareTokenMFA, ChallengeParameters: map[string]string{}}, nil
	})
	// Re-register the challenge handlers to add the MFA step.
	onChallenges(t, f, "sess-0", challengeHandlers{
		types.ChallengeNameTypePasswordVerifier: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
			if err := checkSecretHash(in.ChallengeResponses); err != nil {
				return nil, err
			}
			if err := u.verify(in.ChallengeResponses); err != nil {
				return nil, err
			}
			return &cip.RespondToAuthChallengeOutput{ChallengeName: ChallengeSoftwareTokenMFA, ChallengeParameters: map[string]string{}}, nil
		},
		ChallengeSoftwareTokenMFA: func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
			if in.ChallengeResponses["USERNAME"] != "uuid-kim" {
				return nil, apiErr("NotAuthorizedException", "username")
			}
			if err := checkSecretHash(in.ChallengeResponses); err != nil {
				return nil, err
			}
			return &cip.RespondToAuthChallengeOutput{AuthenticationResult: authResult("uuid-kim", true)}, nil
		},
	})
	res, err := newTestClient(f, withSecret).SignIn(context.Background(), "kim@example.com", "pw-kim")
	require.NoError(t, err)
	require.Equal(t, "uuid-kim", res.Challenge.Username)
	res, err = res.Challenge.RespondMFA(context.Background(), "123456")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
}

func TestTransportErrorWrapped(t *testing.T) {
	f := newFake()
	boom := errors.New("dial tcp: connection refused")
	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return nil, boom
	})
	_, err := newTestClient(f).SignIn(context.Background(), "u", "pw", passwordFlow)
	require.ErrorIs(t, err, boom)
	var ce *Error
	assert.False(t, errors.As(err, &ce))
	assert.Contains(t, err.Error(), "cognito: InitiateAuth")
}
