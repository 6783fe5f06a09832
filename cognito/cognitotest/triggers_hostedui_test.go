package cognitotest

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostedFn is a Go Lambda handler for the hosted-UI trigger tests: it
// records each event and answers with answer(event).
type hostedFn struct {
	mu     sync.Mutex
	events []map[string]any
	answer func(ev map[string]any) (map[string]any, error)
}

func (h *hostedFn) handle(_ context.Context, ev map[string]any) (map[string]any, error) {
	h.mu.Lock()
	h.events = append(h.events, ev)
	answer := h.answer
	h.mu.Unlock()
	if answer == nil {
		return ev, nil
	}
	return answer(ev)
}

func (h *hostedFn) set(answer func(ev map[string]any) (map[string]any, error)) {
	h.mu.Lock()
	h.answer = answer
	h.mu.Unlock()
}

// take returns the triggerSource of each event since the last take, and
// the events.
func (h *hostedFn) take() ([]string, []map[string]any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	evs := h.events
	h.events = nil
	var srcs []string
	for _, ev := range evs {
		srcs = append(srcs, ev["triggerSource"].(string))
	}
	return srcs, evs
}

const hostedFnARN = "arn:aws:lambda:us-east-1:123456789012:function:hosted"

// facebookSignIn signs in through the hosted UI's Facebook button as the
// Facebook user fbID and returns the answer of /oauth2/idpresponse.
func facebookSignIn(t *testing.T, f *uiFixture, fbID string) uiPage {
	t.Helper()
	a := newAgent(t, f.s.URL)
	login := a.browse(authorizeURL(f.s, f.client.ID, nil))
	m := regexp.MustCompile(`id="facebook-button" href="([^"]+)"`).FindStringSubmatch(login.body)
	require.NotNil(t, m, login.body)
	consent := a.browse(f.s.URL + html.UnescapeString(m[1]))
	back := a.submit(consent, url.Values{"user_id": {fbID}, "name": {"Fay Book"}, "email": {"fay@example.com"}, "action": {"allow"}})
	require.Equal(t, http.StatusFound, back.status, back.body)
	return a.get(back.loc)
}

// TestTriggerHostedUIFederatedFirstSignIn: a federated user's first
// sign-in sends PreSignUp_ExternalProvider before the user is stored
// (autoVerifyEmail applies; a failure redirects to the app with Cognito's
// error_description and stores nothing), then PostConfirmation_ConfirmSignUp
// and the HostedUITriggers' PostConfirmation hook; later sign-ins send
// neither.
func TestTriggerHostedUIFederatedFirstSignIn(t *testing.T) {
	var hookMu sync.Mutex
	var hooked []string
	f := newUIFixture(t, PoolOptions{LambdaConfig: &LambdaConfig{PreSignUp: hostedFnARN, PostConfirmation: hostedFnARN}}, func(o *Options) {
		o.Triggers = &HostedUITriggers{PostConfirmation: func(_ context.Context, ev TriggerEvent) error {
			hookMu.Lock()
			defer hookMu.Unlock()
			hooked = append(hooked, ev.Username)
			return nil
		}}
	})
	fn := &hostedFn{}
	require.NoError(t, f.s.RegisterFunction(hostedFnARN, fn.handle))
	fn.set(func(ev map[string]any) (map[string]any, error) {
		if ev["triggerSource"] == "PreSignUp_ExternalProvider" {
			ev["response"] = map[string]any{"autoVerifyEmail": true}
		}
		return ev, nil
	})

	callbackCode(t, facebookSignIn(t, f, "10001"))
	srcs, evs := fn.take()
	require.Equal(t, []string{"PreSignUp_ExternalProvider", "PostConfirmation_ConfirmSignUp"}, srcs)
	pre, post := evs[0], evs[1]
	assert.Equal(t, "Facebook_10001", pre["userName"])
	assert.Equal(t, f.client.ID, pre["callerContext"].(map[string]any)["clientId"])
	assert.Equal(t, map[string]any{"email": "fay@example.com", "name": "Fay Book"}, pre["request"].(map[string]any)["userAttributes"])
	assert.Nil(t, pre["request"].(map[string]any)["validationData"])
	postAttrs := post["request"].(map[string]any)["userAttributes"].(map[string]any)
	assert.Equal(t, "EXTERNAL_PROVIDER", postAttrs["cognito:user_status"])
	assert.Equal(t, "true", postAttrs["email_verified"], "autoVerifyEmail")
	hookMu.Lock()
	assert.Equal(t, []string{"Facebook_10001"}, hooked, "the hook runs on the same path")
	hookMu.Unlock()

	callbackCode(t, facebookSignIn(t, f, "10001"))
	srcs, _ = fn.take()
	assert.Empty(t, srcs, "not a first sign-in")

	t.Run("pre sign-up fails", func(t *testing.T) {
		fn.set(func(map[string]any) (map[string]any, error) { return nil, errors.New("Facebook sign-up is closed") })
		p := facebookSignIn(t, f, "20002")
		require.Equal(t, http.StatusFound, p.status)
		loc, _ := url.Parse(p.loc)
		assert.True(t, strings.HasPrefix(p.loc, uiCallback+"?"), p.loc)
		assert.Equal(t, "invalid_request", loc.Query().Get("error"))
		assert.Equal(t, "PreSignUp failed with error Facebook sign-up is closed.", loc.Query().Get("error_description"))
		_, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("Facebook_20002")})
		requireCode(t, err, "UserNotFoundException")
		fn.take()
	})
	t.Run("post confirmation fails", func(t *testing.T) {
		fn.set(func(ev map[string]any) (map[string]any, error) {
			if ev["triggerSource"] == "PostConfirmation_ConfirmSignUp" {
				return nil, errors.New("CRM down")
			}
			return ev, nil
		})
		p := facebookSignIn(t, f, "30003")
		loc, _ := url.Parse(p.loc)
		assert.Equal(t, "invalid_request", loc.Query().Get("error"))
		assert.Equal(t, "PostConfirmation failed with error CRM down.", loc.Query().Get("error_description"))
		_, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("Facebook_30003")})
		require.NoError(t, err, "the user stays")
	})
}

// TestTriggerHostedUIUserMigration: the hosted UI's password sign-in of a
// user the pool does not have asks the user migration trigger, then
// signs the migrated user in; a refusal shows the error on the page.
func TestTriggerHostedUIUserMigration(t *testing.T) {
	f := newUIFixture(t, PoolOptions{LambdaConfig: &LambdaConfig{UserMigration: hostedFnARN}})
	fn := &hostedFn{}
	require.NoError(t, f.s.RegisterFunction(hostedFnARN, fn.handle))
	fn.set(func(ev map[string]any) (map[string]any, error) {
		req := ev["request"].(map[string]any)
		if ev["userName"] != "olduser" || req["password"] != "Old-Password-1" {
			return nil, errors.New("Bad password")
		}
		ev["response"] = map[string]any{"userAttributes": map[string]string{"email": "olduser@example.com", "email_verified": "true"},
			"messageAction": "SUPPRESS"}
		return ev, nil
	})

	p := passwordLogin(t, newAgent(t, f.s.URL), authorizeURL(f.s, f.client.ID, nil), "olduser", "Wrong-1")
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "UserMigration failed with error Bad password.")

	code := callbackCode(t, passwordLogin(t, newAgent(t, f.s.URL), authorizeURL(f.s, f.client.ID, nil), "olduser", "Old-Password-1"))
	status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)
	srcs, evs := fn.take()
	require.Equal(t, []string{"UserMigration_Authentication", "UserMigration_Authentication"}, srcs)
	assert.Equal(t, f.client.ID, evs[1]["callerContext"].(map[string]any)["clientId"])
	b, _ := json.Marshal(evs[1]["request"])
	assert.Contains(t, string(b), `"password":"Old-Password-1"`)

	// Migrated: the next sign-in needs no trigger.
	callbackCode(t, passwordLogin(t, newAgent(t, f.s.URL), authorizeURL(f.s, f.client.ID, nil), "olduser", "Old-Password-1"))
	srcs, _ = fn.take()
	assert.Empty(t, srcs)
}

// TestTriggerHostedUIMFAMessage: the hosted UI's SMS MFA code goes
// through the custom message trigger (CustomMessage_Authentication); a
// failing function shows its error on the page.
func TestTriggerHostedUIMFAMessage(t *testing.T) {
	f := newUIFixture(t, PoolOptions{MFA: "OPTIONAL", LambdaConfig: &LambdaConfig{CustomMessage: hostedFnARN}})
	fn := &hostedFn{}
	require.NoError(t, f.s.RegisterFunction(hostedFnARN, fn.handle))
	f.s.MustCreateUser(f.pool, "sam", testPassword, map[string]string{"phone_number": "+15555550123"})
	_, err := f.c.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &f.pool, Username: aws.String("sam"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}})
	require.NoError(t, err)
	fn.set(func(ev map[string]any) (map[string]any, error) {
		ev["response"] = map[string]any{"smsMessage": "Your Example code: {####}"}
		return ev, nil
	})

	p := passwordLogin(t, newAgent(t, f.s.URL), authorizeURL(f.s, f.client.ID, nil), "sam", testPassword)
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "We have sent a code by SMS")
	srcs, evs := fn.take()
	require.Equal(t, []string{"CustomMessage_Authentication"}, srcs)
	assert.Equal(t, f.client.ID, evs[0]["callerContext"].(map[string]any)["clientId"])
	msgs := f.s.Messages(f.pool)
	last := msgs[len(msgs)-1]
	assert.Equal(t, "SMS", last.Medium)
	assert.Equal(t, "Your Example code: "+last.Code, last.Body)

	fn.set(func(map[string]any) (map[string]any, error) { return nil, errors.New("SMS budget exhausted") })
	p = passwordLogin(t, newAgent(t, f.s.URL), authorizeURL(f.s, f.client.ID, nil), "sam", testPassword)
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "CustomMessage failed with error SMS budget exhausted.")
	assert.Len(t, f.s.Messages(f.pool), len(msgs), "nothing sent")
}
