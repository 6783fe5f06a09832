package identity_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"
)

// newExampleServer starts a small stand-in for the cognito-identity JSON
// protocol and STS (AssumeRoleWithWebIdentity, and GetCallerIdentity, which
// echoes the signing key and session token), for TestCredentialsSignRequests:
// an AWS service client signing with the provider's credentials. The
// emulator (cognito/cognitotest), which the examples and emulator_test.go
// use, checks tokens for real but has no GetCallerIdentity. This hands out
// one identity ID per set of login providers, refuses the login token
// "expired" the way Cognito does, and returns credentials valid for an hour.
func newExampleServer() *httptest.Server {
	var mu sync.Mutex
	ids := map[string]string{}
	identityFor := func(logins map[string]string) string {
		names := make([]string, 0, len(logins))
		for k := range logins {
			names = append(names, k)
		}
		sort.Strings(names)
		key := strings.Join(names, ",")
		mu.Lock()
		defer mu.Unlock()
		if id, ok := ids[key]; ok {
			return id
		}
		id := fmt.Sprintf("us-east-1:00000000-0000-4000-8000-%012d", len(ids)+1)
		ids[key] = id
		return id
	}
	fail := func(w http.ResponseWriter, code, msg string) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	}
	expires := func() time.Time { return time.Now().Add(time.Hour).Truncate(time.Second) }
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		if target == "" { // STS query protocol
			if err := r.ParseForm(); err == nil && r.PostForm.Get("Action") == "GetCallerIdentity" {
				// Signed with the identity pool's credentials: echo the key.
				auth := r.Header.Get("Authorization")
				_, cred, _ := strings.Cut(auth, "Credential=")
				key, _, _ := strings.Cut(cred, "/")
				w.Header().Set("Content-Type", "text/xml")
				fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:sts::123456789012:assumed-role/Cognito_Auth/%s</Arn><UserId>%s</UserId><Account>123456789012</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>example</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, key, r.Header.Get("X-Amz-Security-Token"))
				return
			}
			if r.PostForm.Get("Action") != "AssumeRoleWithWebIdentity" {
				http.Error(w, "unsupported", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>
<Credentials><AccessKeyId>ASIASTSEXAMPLE</AccessKeyId><SecretAccessKey>sts-example-secret</SecretAccessKey><SessionToken>sts-example-session</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/%s/%s</Arn><AssumedRoleId>AROAEXAMPLE:%s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>example</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
				expires().UTC().Format(time.RFC3339), r.PostForm.Get("RoleArn")[strings.LastIndex(r.PostForm.Get("RoleArn"), "/")+1:],
				r.PostForm.Get("RoleSessionName"), r.PostForm.Get("RoleSessionName"))
			return
		}
		var in struct {
			IdentityPoolId string
			IdentityId     string
			Logins         map[string]string
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			fail(w, "InvalidParameterException", "bad JSON")
			return
		}
		for _, tok := range in.Logins {
			if tok == "expired" {
				fail(w, "NotAuthorizedException", "Invalid login token. Token expired.")
				return
			}
		}
		out := map[string]any{}
		switch strings.TrimPrefix(target, "AWSCognitoIdentityService.") {
		case "GetId":
			out["IdentityId"] = identityFor(in.Logins)
		case "GetCredentialsForIdentity":
			out["IdentityId"] = in.IdentityId
			out["Credentials"] = map[string]any{
				"AccessKeyId": "ASIAEXAMPLE", "SecretKey": "example-secret", "SessionToken": "example-session",
				"Expiration": expires().Unix(),
			}
		case "GetOpenIdToken":
			out["IdentityId"], out["Token"] = in.IdentityId, "example.openid.token"
		case "GetOpenIdTokenForDeveloperIdentity":
			if in.IdentityId == "" {
				in.IdentityId = identityFor(in.Logins)
			}
			out["IdentityId"], out["Token"] = in.IdentityId, "example.developer.token"
		default:
			fail(w, "UnknownOperationException", "not in the example server")
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(out)
	}))
}
