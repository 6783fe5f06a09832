package cognitotest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func describeRisk(t *testing.T, f *fixture, clientID *string) *types.RiskConfigurationType {
	t.Helper()
	out, err := f.c.DescribeRiskConfiguration(ctx(), &cip.DescribeRiskConfigurationInput{UserPoolId: &f.pool, ClientId: clientID})
	require.NoError(t, err)
	return out.RiskConfiguration
}

// TestRiskConfiguration: the pool's and an app client's risk settings are
// stored and answered as given; the client's replace the pool's for it,
// and a Set with no settings resets them.
func TestRiskConfiguration(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	assert.Equal(t, &types.RiskConfigurationType{UserPoolId: &f.pool}, describeRisk(t, f, nil), "none yet")

	takeover := &types.AccountTakeoverRiskConfigurationType{
		NotifyConfiguration: &types.NotifyConfigurationType{SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/example.com"),
			From: aws.String("security@example.com"), BlockEmail: &types.NotifyEmailType{Subject: aws.String("Blocked"),
				TextBody: aws.String("We blocked a sign-in.")}},
		Actions: &types.AccountTakeoverActionsType{
			MediumAction: &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeMfaIfConfigured, Notify: true},
			HighAction:   &types.AccountTakeoverActionType{EventAction: types.AccountTakeoverEventActionTypeBlock, Notify: true}}}
	exceptions := &types.RiskExceptionConfigurationType{BlockedIPRangeList: []string{"10.10.10.10/32"}, SkippedIPRangeList: []string{"2001:db8::/32"}}
	set, err := f.c.SetRiskConfiguration(ctx(), &cip.SetRiskConfigurationInput{UserPoolId: &f.pool,
		CompromisedCredentialsRiskConfiguration: &types.CompromisedCredentialsRiskConfigurationType{
			Actions: &types.CompromisedCredentialsActionsType{EventAction: types.CompromisedCredentialsEventActionTypeBlock}},
		AccountTakeoverRiskConfiguration: takeover, RiskExceptionConfiguration: exceptions})
	require.NoError(t, err)
	got := describeRisk(t, f, nil)
	assert.Equal(t, set.RiskConfiguration, got)
	assert.Nil(t, got.ClientId)
	assert.Equal(t, []types.EventFilterType{"SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"}, got.CompromisedCredentialsRiskConfiguration.EventFilter,
		"no filter is every event")
	assert.Equal(t, takeover, got.AccountTakeoverRiskConfiguration)
	assert.Equal(t, exceptions, got.RiskExceptionConfiguration)
	assert.Equal(t, f.s.Now().Unix(), got.LastModifiedDate.Unix())

	assert.Equal(t, got, describeRisk(t, f, &f.client.ID), "a client without its own settings has the pool's")
	_, err = f.c.SetRiskConfiguration(ctx(), &cip.SetRiskConfigurationInput{UserPoolId: &f.pool, ClientId: &f.client.ID,
		CompromisedCredentialsRiskConfiguration: &types.CompromisedCredentialsRiskConfigurationType{EventFilter: []types.EventFilterType{"SIGN_UP"},
			Actions: &types.CompromisedCredentialsActionsType{EventAction: types.CompromisedCredentialsEventActionTypeNoAction}}})
	require.NoError(t, err)
	own := describeRisk(t, f, &f.client.ID)
	assert.Equal(t, f.client.ID, *own.ClientId)
	assert.Equal(t, []types.EventFilterType{"SIGN_UP"}, own.CompromisedCredentialsRiskConfiguration.EventFilter)
	assert.Nil(t, own.AccountTakeoverRiskConfiguration, "the client's settings replace the pool's, not merge")
	assert.Equal(t, got, describeRisk(t, f, nil), "the pool's are unchanged")

	_, err = f.c.SetRiskConfiguration(ctx(), &cip.SetRiskConfigurationInput{UserPoolId: &f.pool, ClientId: &f.client.ID})
	require.NoError(t, err)
	assert.Equal(t, got, describeRisk(t, f, &f.client.ID), "reset: the client inherits again")
	_, err = f.c.SetRiskConfiguration(ctx(), &cip.SetRiskConfigurationInput{UserPoolId: &f.pool})
	require.NoError(t, err)
	assert.Equal(t, &types.RiskConfigurationType{UserPoolId: &f.pool}, describeRisk(t, f, nil), "reset: none")
}

// TestRiskConfigurationRefused: what Cognito refuses, with nothing stored.
func TestRiskConfigurationRefused(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	block := &types.CompromisedCredentialsRiskConfigurationType{Actions: &types.CompromisedCredentialsActionsType{EventAction: "BLOCK"}}
	tests := []struct {
		name string
		in   cip.SetRiskConfigurationInput
		want string
	}{
		{"an unknown client", cip.SetRiskConfigurationInput{ClientId: aws.String("nosuchclient"), CompromisedCredentialsRiskConfiguration: block},
			"ResourceNotFoundException"},
		{"a range that is no CIDR block", cip.SetRiskConfigurationInput{RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{
			BlockedIPRangeList: []string{"10.0.0.1/33"}}}, "InvalidParameterException"},
		{"an address without its prefix length", cip.SetRiskConfigurationInput{RiskExceptionConfiguration: &types.RiskExceptionConfigurationType{
			SkippedIPRangeList: []string{"10.0.0.1"}}}, "InvalidParameterException"},
		{"notify without a notification", cip.SetRiskConfigurationInput{AccountTakeoverRiskConfiguration: &types.AccountTakeoverRiskConfigurationType{
			Actions: &types.AccountTakeoverActionsType{HighAction: &types.AccountTakeoverActionType{EventAction: "BLOCK", Notify: true}}}},
			"InvalidParameterException"},
		{"an action outside the enum", cip.SetRiskConfigurationInput{CompromisedCredentialsRiskConfiguration: &types.CompromisedCredentialsRiskConfigurationType{
			Actions: &types.CompromisedCredentialsActionsType{EventAction: "MAYBE"}}}, "InvalidParameterException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.UserPoolId = &f.pool
			_, err := f.c.SetRiskConfiguration(ctx(), &in)
			requireCode(t, err, tc.want)
			assert.Equal(t, &types.RiskConfigurationType{UserPoolId: &f.pool}, describeRisk(t, f, nil))
		})
	}
	t.Run("accepted: notify false with no notification", func(t *testing.T) {
		_, err := f.c.SetRiskConfiguration(ctx(), &cip.SetRiskConfigurationInput{UserPoolId: &f.pool,
			AccountTakeoverRiskConfiguration: &types.AccountTakeoverRiskConfigurationType{Actions: &types.AccountTakeoverActionsType{
				HighAction: &types.AccountTakeoverActionType{EventAction: "BLOCK", Notify: false}}}})
		require.NoError(t, err)
	})
	_, err := f.c.DescribeRiskConfiguration(ctx(), &cip.DescribeRiskConfigurationInput{UserPoolId: aws.String("us-east-1_nosuchpool")})
	requireCode(t, err, "ResourceNotFoundException")
}
