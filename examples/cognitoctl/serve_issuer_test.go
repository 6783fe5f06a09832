package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeCognitoIssuer: -cognito-issuer makes the tokens carry Cognito's
// issuer (keys still at the server); without it they carry the server's.
func TestServeCognitoIssuer(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.json")
	require.NoError(t, os.WriteFile(cfg, []byte(seedConfig), 0o600))
	for _, tc := range []struct {
		name string
		flag bool
	}{{"with -cognito-issuer", true}, {"without", false}} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-addr", "127.0.0.1:0", "-config", cfg}
			if tc.flag {
				args = append(args, "-cognito-issuer")
			}
			url, stop, out, _ := startServeOutput(t, args...)
			res, err := sdk(url).InitiateAuth(context.Background(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				ClientId: aws.String("democlient0000000000000001"), AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
			require.NoError(t, err)
			body, err := base64.RawURLEncoding.DecodeString(strings.Split(*res.AuthenticationResult.IdToken, ".")[1])
			require.NoError(t, err)
			var claims struct{ Iss string }
			require.NoError(t, json.Unmarshal(body, &claims))
			if tc.flag {
				assert.Equal(t, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01", claims.Iss)
				assert.Contains(t, out.String(), url+"/POOL/.well-known/jwks.json")
			} else {
				assert.Equal(t, url+"/us-east-1_Example01", claims.Iss)
				assert.NotContains(t, out.String(), "Cognito's issuer")
			}
			assert.Equal(t, 0, stop())
		})
	}
}
