package cognitotest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listEvents(t *testing.T, f *fixture, user string, limit int32, token *string) *cip.AdminListUserAuthEventsOutput {
	t.Helper()
	in := &cip.AdminListUserAuthEventsInput{UserPoolId: &f.pool, Username: &user, NextToken: token}
	if limit > 0 {
		in.MaxResults = &limit
	}
	out, err := f.c.AdminListUserAuthEvents(ctx(), in)
	require.NoError(t, err)
	return out
}

// eventSummary is "Type Response [Challenge:Response ...]".
func eventSummary(e types.AuthEventType) string {
	s := string(e.EventType) + " " + string(e.EventResponse)
	for _, c := range e.ChallengeResponses {
		s += " " + string(c.ChallengeName) + ":" + string(c.ChallengeResponse)
	}
	return s
}

func summaries(events []types.AuthEventType) []string {
	out := []string{}
	for _, e := range events {
		out = append(out, eventSummary(e))
	}
	return out
}

// TestAuthEventsRecorded: a pool with threat protection (the PLUS plan)
// records each user's sign-ins, failed and passed, sign-up, forgotten
// password, password changes and resent codes, newest first, with the
// caller's IP address and device; refreshes are not sign-ins.
func TestAuthEventsRecorded(t *testing.T) {
	f := setup(t, PoolOptions{Tier: "PLUS", ThreatProtection: "AUDIT"}, ClientOptions{})
	_, err := passwordSignIn(f, "alice", "Wr0ng-password")
	requireCode(t, err, "NotAuthorizedException")
	tok := mustTokens(t, f, "alice")
	_, err = srpSignIn(t, f, "alice", testPassword)
	require.NoError(t, err)
	_, err = f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &f.client.ID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	require.NoError(t, err)
	_, err = f.c.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: tok.AccessToken, PreviousPassword: aws.String("Wr0ng-password"),
		ProposedPassword: aws.String(testPassword + "2")})
	requireCode(t, err, "NotAuthorizedException")
	_, err = f.c.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: tok.AccessToken, PreviousPassword: aws.String(testPassword),
		ProposedPassword: aws.String(testPassword + "2")})
	require.NoError(t, err)
	_, err = f.c.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Equal(t, []string{"ForgotPassword Pass", "PasswordChange Pass Password:Success", "PasswordChange Fail Password:Failure",
		"SignIn Pass Password:Success", "SignIn Pass Password:Success", "SignIn Fail Password:Failure"},
		summaries(listEvents(t, f, "alice", 0, nil).AuthEvents))

	_, err = f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: aws.String("bob"), Password: aws.String(testPassword),
		UserAttributes:  []types.AttributeType{attr("email", "bob@example.com")},
		UserContextData: &types.UserContextDataType{IpAddress: aws.String("203.0.113.9")}})
	require.NoError(t, err)
	_, err = f.c.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: &f.client.ID, Username: aws.String("bob")})
	require.NoError(t, err)
	bob := listEvents(t, f, "bob", 0, nil).AuthEvents
	require.Equal(t, []string{"ResendCode Pass", "SignUp Pass"}, summaries(bob))
	assert.Equal(t, "203.0.113.9", *bob[1].EventContextData.IpAddress, "UserContextData's address")
	assert.Equal(t, "127.0.0.1", *bob[0].EventContextData.IpAddress, "the connection's address")
	assert.NotEmpty(t, *bob[0].EventContextData.DeviceName, "named from the SDK's User-Agent")
	assert.Equal(t, types.RiskDecisionTypeNoRisk, bob[0].EventRisk.RiskDecision)
	assert.True(t, bob[0].CreationDate.Before(f.s.Now().Add(1)) && !bob[0].CreationDate.IsZero())
	assert.NotEqual(t, *bob[0].EventId, *bob[1].EventId)

	// An admin sign-in takes the end user's address and device from ContextData.
	_, err = f.c.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		ClientId: &f.client.ID, UserPoolId: &f.pool, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword + "2"},
		ContextData: &types.ContextDataType{IpAddress: aws.String("198.51.100.7"), ServerName: aws.String("app.example"),
			ServerPath: aws.String("/login"), HttpHeaders: []types.HttpHeader{{HeaderName: aws.String("User-Agent"),
				HeaderValue: aws.String("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")}}}})
	require.NoError(t, err)
	last := listEvents(t, f, "alice", 1, nil).AuthEvents[0]
	assert.Equal(t, "SignIn Pass Password:Success", eventSummary(last))
	assert.Equal(t, "198.51.100.7", *last.EventContextData.IpAddress)
	assert.Equal(t, "Chrome, Windows", *last.EventContextData.DeviceName)
}

// TestAuthEventsMFA: a sign-in left at its MFA challenge is InProgress;
// the right code passes that same event, a wrong one fails it.
func TestAuthEventsMFA(t *testing.T) {
	f := setup(t, PoolOptions{Tier: "PLUS", ThreatProtection: "AUDIT", MFA: "ON"}, ClientOptions{})
	f.s.MustCreateUser(f.pool, "sam", testPassword, map[string]string{"phone_number": "+15550123"})
	start := func() *cip.InitiateAuthOutput {
		out, err := passwordSignIn(f, "sam", testPassword)
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeSmsMfa, out.ChallengeName)
		return out
	}
	ch := start()
	assert.Equal(t, []string{"SignIn InProgress Password:Success"}, summaries(listEvents(t, f, "sam", 0, nil).AuthEvents))
	code, ok := f.s.LastCode(f.pool, "sam")
	require.True(t, ok)
	_, err := respond(f, types.ChallengeNameTypeSmsMfa, ch.Session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": code})
	require.NoError(t, err)
	assert.Equal(t, []string{"SignIn Pass Password:Success Mfa:Success"}, summaries(listEvents(t, f, "sam", 0, nil).AuthEvents))

	ch = start()
	_, err = respond(f, types.ChallengeNameTypeSmsMfa, ch.Session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": "000000"})
	requireCode(t, err, "CodeMismatchException")
	assert.Equal(t, []string{"SignIn Fail Password:Success Mfa:Failure", "SignIn Pass Password:Success Mfa:Success"},
		summaries(listEvents(t, f, "sam", 0, nil).AuthEvents))
}

// TestAuthEventsPages: MaxResults pages the history, newest first, and a
// NextToken stays valid while new events are recorded.
func TestAuthEventsPages(t *testing.T) {
	f := setup(t, PoolOptions{Tier: "PLUS", ThreatProtection: "AUDIT"}, ClientOptions{})
	for range 5 {
		mustTokens(t, f, "alice")
	}
	all := listEvents(t, f, "alice", 0, nil).AuthEvents
	require.Len(t, all, 5)
	first := listEvents(t, f, "alice", 2, nil)
	require.NotNil(t, first.NextToken)
	mustTokens(t, f, "alice") // recorded between pages
	second := listEvents(t, f, "alice", 2, first.NextToken)
	third := listEvents(t, f, "alice", 2, second.NextToken)
	assert.Nil(t, third.NextToken)
	var ids []string
	for _, page := range [][]types.AuthEventType{first.AuthEvents, second.AuthEvents, third.AuthEvents} {
		for _, e := range page {
			ids = append(ids, *e.EventId)
		}
	}
	var want []string
	for _, e := range all {
		want = append(want, *e.EventId)
	}
	assert.Equal(t, want, ids)
	_, err := f.c.AdminListUserAuthEvents(ctx(), &cip.AdminListUserAuthEventsInput{UserPoolId: &f.pool, Username: aws.String("alice"),
		NextToken: aws.String("no-such-event")})
	requireCode(t, err, "InvalidParameterException")
}

// TestAuthEventFeedback: an admin's feedback and the user's (with the
// event's feedback token) are recorded on the event; a wrong token, an
// unknown event or user, and a pool without threat protection are refused.
func TestAuthEventFeedback(t *testing.T) {
	f := setup(t, PoolOptions{Tier: "PLUS", ThreatProtection: "AUDIT"}, ClientOptions{})
	mustTokens(t, f, "alice")
	_, err := passwordSignIn(f, "alice", "Wr0ng-password")
	require.Error(t, err)
	ev := listEvents(t, f, "alice", 0, nil).AuthEvents
	failed, passed := ev[0].EventId, ev[1].EventId
	_, err = f.c.AdminUpdateAuthEventFeedback(ctx(), &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: &f.pool, Username: aws.String("alice"),
		EventId: failed, FeedbackValue: types.FeedbackValueTypeInvalid})
	require.NoError(t, err)
	token, err := f.s.AuthEventFeedbackToken(f.pool, "alice", *passed)
	require.NoError(t, err)
	_, err = f.c.UpdateAuthEventFeedback(ctx(), &cip.UpdateAuthEventFeedbackInput{UserPoolId: &f.pool, Username: aws.String("alice"),
		EventId: passed, FeedbackToken: &token, FeedbackValue: types.FeedbackValueTypeValid})
	require.NoError(t, err)
	ev = listEvents(t, f, "alice", 0, nil).AuthEvents
	require.NotNil(t, ev[0].EventFeedback)
	assert.Equal(t, types.FeedbackValueTypeInvalid, ev[0].EventFeedback.FeedbackValue)
	assert.Equal(t, "Admin", *ev[0].EventFeedback.Provider)
	assert.Equal(t, f.s.Now().Unix(), ev[0].EventFeedback.FeedbackDate.Unix())
	require.NotNil(t, ev[1].EventFeedback)
	assert.Equal(t, types.FeedbackValueTypeValid, ev[1].EventFeedback.FeedbackValue)
	assert.Equal(t, "User", *ev[1].EventFeedback.Provider)

	other := f.s.MustAuthEventFeedbackToken(f.pool, "alice", *failed)
	_, err = f.s.AuthEventFeedbackToken(f.pool, "alice", "no-such-event")
	require.Error(t, err)
	_, err = f.s.AuthEventFeedbackToken(f.pool, "nobody", *failed)
	require.Error(t, err)
	plain := setup(t, PoolOptions{}, ClientOptions{})
	refused := []struct {
		name string
		run  func() error
		want string
	}{
		{"another event's token", func() error {
			_, err := f.c.UpdateAuthEventFeedback(ctx(), &cip.UpdateAuthEventFeedbackInput{UserPoolId: &f.pool, Username: aws.String("alice"),
				EventId: passed, FeedbackToken: &other, FeedbackValue: types.FeedbackValueTypeInvalid})
			return err
		}, "NotAuthorizedException"},
		{"an unknown event", func() error {
			_, err := f.c.AdminUpdateAuthEventFeedback(ctx(), &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: &f.pool, Username: aws.String("alice"),
				EventId: aws.String("no-such-event"), FeedbackValue: types.FeedbackValueTypeValid})
			return err
		}, "ResourceNotFoundException"},
		{"an unknown user", func() error {
			_, err := f.c.AdminListUserAuthEvents(ctx(), &cip.AdminListUserAuthEventsInput{UserPoolId: &f.pool, Username: aws.String("nobody")})
			return err
		}, "UserNotFoundException"},
		{"list, no threat protection", func() error {
			_, err := plain.c.AdminListUserAuthEvents(ctx(), &cip.AdminListUserAuthEventsInput{UserPoolId: &plain.pool, Username: aws.String("alice")})
			return err
		}, "UserPoolAddOnNotEnabledException"},
		{"feedback, no threat protection", func() error {
			_, err := plain.c.AdminUpdateAuthEventFeedback(ctx(), &cip.AdminUpdateAuthEventFeedbackInput{UserPoolId: &plain.pool,
				Username: aws.String("alice"), EventId: failed, FeedbackValue: types.FeedbackValueTypeValid})
			return err
		}, "UserPoolAddOnNotEnabledException"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) { requireCode(t, tc.run(), tc.want) })
	}
	assert.Equal(t, types.FeedbackValueTypeValid, listEvents(t, f, "alice", 0, nil).AuthEvents[1].EventFeedback.FeedbackValue,
		"a refused feedback changes nothing")
}

// TestAuthEventsHostedUI: the hosted UI's password sign-ins are recorded
// too, failed and passed, with the browser's device.
func TestAuthEventsHostedUI(t *testing.T) {
	f := newUIFixture(t, PoolOptions{Tier: "PLUS", ThreatProtection: "ENFORCED"})
	a := newAgent(t, f.s.URL)
	page := passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), "alice", "Wr0ng-password")
	require.Equal(t, 200, page.status)
	hostedTokens(t, f, "openid")
	ev := listEvents(t, f.fixture, "alice", 0, nil).AuthEvents
	assert.Equal(t, []string{"SignIn Pass Password:Success", "SignIn Fail Password:Failure"}, summaries(ev))
	assert.Equal(t, "127.0.0.1", *ev[0].EventContextData.IpAddress)
}
