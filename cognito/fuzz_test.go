package cognito

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// FuzzParseClaims feeds arbitrary tokens to the claims parser: it must
// return claims or an ErrInvalidResponse, never panic.
func FuzzParseClaims(f *testing.F) {
	f.Add(fakeJWT(map[string]any{"sub": "s", "cognito:username": "u", "aud": "c", "exp": 1}))
	f.Add(fakeJWT(map[string]any{"aud": []string{"a", "b"}, "cognito:groups": []string{"g"}}))
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJub25lIn0.eyJhdWQiOjF9.")
	f.Add("x.bnVsbA.y") // payload "null"
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := ParseClaims(tok)
		if err != nil {
			if !errors.Is(err, ErrInvalidResponse) {
				t.Fatalf("error %v does not wrap ErrInvalidResponse", err)
			}
			return
		}
		if c == nil {
			t.Fatal("nil claims without error")
		}
		_ = c.CognitoUsername()
	})
}

// FuzzChallengeParameters feeds arbitrary challenge parameters to the
// challenge parser for every challenge kind.
func FuzzChallengeParameters(f *testing.F) {
	f.Add(`["userAttributes.name"]`, `{"email":"a@b","email_verified":true,"n":1}`, `["SMS_MFA"]`)
	f.Add(`[1,2]`, `[]`, `{}`)
	f.Add(`null`, `null`, `null`)
	f.Add(`["userAttributes."]`, `{"":""}`, `["",""]`)
	f.Fuzz(func(t *testing.T, required, userAttrs, list string) {
		c := newTestClient(newFake())
		for _, name := range []ChallengeName{ChallengeNewPasswordRequired, ChallengeSMSMFA, ChallengeSelectMFAType, ChallengeMFASetup, ChallengeCustom} {
			ch := newChallenge(c, &authState{username: "u"}, authOutput{name: name, session: "SESSION-9f3c", params: map[string]string{
				"requiredAttributes": required, "userAttributes": userAttrs, "MFAS_CAN_CHOOSE": list, "MFAS_CAN_SETUP": list,
				"CODE_DELIVERY_DESTINATION": userAttrs,
			}})
			if strings.Contains(ch.String(), "SESSION-9f3c") && !strings.Contains(userAttrs+list+required, "SESSION-9f3c") {
				t.Fatalf("session leaked into %s", ch)
			}
			for _, a := range ch.RequiredAttributes {
				if a == "" {
					t.Fatal("empty required attribute name")
				}
			}
		}
	})
}

// FuzzPasswordVerifier feeds arbitrary PASSWORD_VERIFIER parameters (the
// server's SRP_B, SALT, SECRET_BLOCK and USER_ID_FOR_SRP) to a sign-in:
// the client must answer or fail with a typed error, never panic.
func FuzzPasswordVerifier(f *testing.F) {
	f.Add("user", "0", "00", "AAAA")
	f.Add("user", "-1a", "-0f", "AAAA")
	f.Add("user", "ff", "abc", "@@@")
	f.Add("", "", "", "")
	f.Add("u", "1", "1", "")
	f.Add("u", strings.Repeat("f", 800), "-", "AA==")
	f.Fuzz(func(t *testing.T, userID, srpB, salt, block string) {
		fk := newFake()
		on(fk, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
			return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: aws.String("s"), ChallengeParameters: map[string]string{
				"USER_ID_FOR_SRP": userID, "SRP_B": srpB, "SALT": salt, "SECRET_BLOCK": block,
			}}, nil
		})
		on(fk, "RespondToAuthChallenge", func(_ context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
			return nil, apiErr("NotAuthorizedException", "Incorrect username or password.")
		})
		_, err := newTestClient(fk).SignIn(context.Background(), "typed", "pw")
		if err == nil {
			t.Fatal("sign-in succeeded against a server that refuses everything")
		}
		if !errors.Is(err, ErrInvalidResponse) && !errors.Is(err, ErrNotAuthorized) {
			t.Fatalf("untyped error: %v", err)
		}
	})
}
