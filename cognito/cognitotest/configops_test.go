package cognitotest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConfigOpsOverSDK runs the configuration operations through
// aws-sdk-go-v2 against the emulator: each answer decodes into the SDK's
// output type, each refusal is the typed error Cognito answers.
func TestConfigOpsOverSDK(t *testing.T) {
	fx := setup(t, PoolOptions{}, ClientOptions{})
	c, pool := fx.c, aws.String(fx.pool)

	_, err := c.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("g")})
	require.NoError(t, err)
	ug, err := c.UpdateGroup(ctx(), &cip.UpdateGroupInput{UserPoolId: pool, GroupName: aws.String("g"),
		Description: aws.String("desc"), Precedence: aws.Int32(7), RoleArn: aws.String("arn:aws:iam::123456789012:role/g")})
	require.NoError(t, err)
	assert.Equal(t, "desc", aws.ToString(ug.Group.Description))
	assert.EqualValues(t, 7, aws.ToInt32(ug.Group.Precedence))
	_, err = c.UpdateGroup(ctx(), &cip.UpdateGroupInput{UserPoolId: pool, GroupName: aws.String("nope")})
	var rnf *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &rnf)

	for _, id := range []string{"a", "b"} {
		_, err = c.CreateResourceServer(ctx(), &cip.CreateResourceServerInput{UserPoolId: pool, Identifier: aws.String(id), Name: aws.String(id),
			Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read it")}}})
		require.NoError(t, err)
	}
	lr, err := c.ListResourceServers(ctx(), &cip.ListResourceServersInput{UserPoolId: pool, MaxResults: aws.Int32(1)})
	require.NoError(t, err)
	require.Len(t, lr.ResourceServers, 1)
	require.NotNil(t, lr.NextToken)
	assert.Equal(t, "Read it", aws.ToString(lr.ResourceServers[0].Scopes[0].ScopeDescription))
	ur, err := c.UpdateResourceServer(ctx(), &cip.UpdateResourceServerInput{UserPoolId: pool, Identifier: aws.String("a"), Name: aws.String("Alpha")})
	require.NoError(t, err)
	assert.Equal(t, "Alpha", aws.ToString(ur.ResourceServer.Name))
	assert.Empty(t, ur.ResourceServer.Scopes)
	_, err = c.DeleteResourceServer(ctx(), &cip.DeleteResourceServerInput{UserPoolId: pool, Identifier: aws.String("b")})
	require.NoError(t, err)
	_, err = c.DeleteResourceServer(ctx(), &cip.DeleteResourceServerInput{UserPoolId: pool, Identifier: aws.String("b")})
	assert.ErrorAs(t, err, &rnf)

	dp, err := c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: pool})
	require.NoError(t, err)
	_, err = c.TagResource(ctx(), &cip.TagResourceInput{ResourceArn: dp.UserPool.Arn, Tags: map[string]string{"env": "test"}})
	require.NoError(t, err)
	lt, err := c.ListTagsForResource(ctx(), &cip.ListTagsForResourceInput{ResourceArn: dp.UserPool.Arn})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"env": "test"}, lt.Tags)
	_, err = c.UntagResource(ctx(), &cip.UntagResourceInput{ResourceArn: dp.UserPool.Arn, TagKeys: []string{"env"}})
	require.NoError(t, err)
	_, err = c.ListTagsForResource(ctx(), &cip.ListTagsForResourceInput{ResourceArn: aws.String(aws.ToString(dp.UserPool.Arn) + "x")})
	assert.ErrorAs(t, err, &rnf)

	_, err = c.AddCustomAttributes(ctx(), &cip.AddCustomAttributesInput{UserPoolId: pool, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber,
			NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("9")}}}})
	require.NoError(t, err)
	_, err = c.AddCustomAttributes(ctx(), &cip.AddCustomAttributesInput{UserPoolId: pool, CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("level")}}})
	var inv *types.InvalidParameterException
	assert.ErrorAs(t, err, &inv)
	dp, err = c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: pool})
	require.NoError(t, err)
	var level *types.SchemaAttributeType
	for i, a := range dp.UserPool.SchemaAttributes {
		if aws.ToString(a.Name) == "custom:level" {
			level = &dp.UserPool.SchemaAttributes[i]
		}
	}
	require.NotNil(t, level)
	assert.Equal(t, "9", aws.ToString(level.NumberAttributeConstraints.MaxValue))
	_, err = c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: pool, Username: aws.String("alice"),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:level"), Value: aws.String("3")}}})
	require.NoError(t, err)

	_, err = c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String("Corp"),
		ProviderType: types.IdentityProviderTypeTypeOidc, IdpIdentifiers: []string{"corp.example"},
		ProviderDetails: map[string]string{"client_id": "c", "client_secret": "s", "oidc_issuer": "https://idp.corp.example", "authorize_scopes": "openid"}})
	require.NoError(t, err)
	ui, err := c.UpdateIdentityProvider(ctx(), &cip.UpdateIdentityProviderInput{UserPoolId: pool, ProviderName: aws.String("Corp"),
		AttributeMapping: map[string]string{"email": "mail"}})
	require.NoError(t, err)
	assert.Equal(t, "mail", ui.IdentityProvider.AttributeMapping["email"])
	require.NotNil(t, ui.IdentityProvider.LastModifiedDate)
	gi, err := c.GetIdentityProviderByIdentifier(ctx(), &cip.GetIdentityProviderByIdentifierInput{UserPoolId: pool, IdpIdentifier: aws.String("corp.example")})
	require.NoError(t, err)
	assert.Equal(t, "Corp", aws.ToString(gi.IdentityProvider.ProviderName))
	_, err = c.GetIdentityProviderByIdentifier(ctx(), &cip.GetIdentityProviderByIdentifierInput{UserPoolId: pool, IdpIdentifier: aws.String("else.example")})
	assert.ErrorAs(t, err, &rnf)

	sc, err := c.GetSigningCertificate(ctx(), &cip.GetSigningCertificateInput{UserPoolId: pool})
	require.NoError(t, err)
	_ = parseCert(t, aws.ToString(sc.Certificate))
	_, err = c.GetSigningCertificate(ctx(), &cip.GetSigningCertificateInput{UserPoolId: aws.String("us-east-1_nothere")})
	assert.ErrorAs(t, err, &rnf)
}

func parseCert(t *testing.T, b64 string) *x509.Certificate {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert
}

// TestHostedUIAfterIdentityProviderUpdate: UpdateIdentityProvider takes
// effect at the next hosted-UI sign-in: new IdP identifiers select the
// provider (the old one no longer does) and the new attribute mapping
// fills the user's attributes.
func TestHostedUIAfterIdentityProviderUpdate(t *testing.T) {
	f := newUIFedFixture(t)
	_, err := f.c.UpdateIdentityProvider(ctx(), &cip.UpdateIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Corp"),
		IdpIdentifiers: []string{"corp2.example"}, AttributeMapping: map[string]string{"email": "email", "family_name": "family_name"}})
	require.NoError(t, err)

	id := f.signIn(t, url.Values{"idp_identifier": {"corp2.example"}}, "Corp",
		ProviderUser{Subject: "emp-8", Email: "emp8@corp.example", GivenName: "Given", FamilyName: "Family"})
	assert.Equal(t, "Corp_emp-8", id["cognito:username"])
	assert.Equal(t, "Family", id["family_name"], "the new mapping")
	assert.NotContains(t, id, "given_name", "the old mapping is gone")

	p := newAgent(t, f.s.URL).get(authorizeURL(f.s, f.client.ID, url.Values{"idp_identifier": {"corp.example"}}))
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.body, "idp_identifier corp.example names no identity provider", "the old identifier names no provider")
}

// TestHostedUISignedSAMLRequests: with RequestSigningAlgorithm rsa-sha256
// the pool signs its AuthnRequests (HTTP-Redirect binding) with the key of
// GetSigningCertificate's certificate, and the sign-in completes.
func TestHostedUISignedSAMLRequests(t *testing.T) {
	f := newUIFedFixture(t)
	authz := authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"CorpSAML"}})
	p := newAgent(t, f.s.URL).get(authz)
	require.Equal(t, http.StatusFound, p.status, p.body)
	assert.NotContains(t, p.loc, "Signature=", "unsigned by default")

	_, err := f.c.UpdateIdentityProvider(ctx(), &cip.UpdateIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("CorpSAML"),
		ProviderDetails: map[string]string{"RequestSigningAlgorithm": "rsa-sha256"}})
	require.NoError(t, err)
	sc, err := f.c.GetSigningCertificate(ctx(), &cip.GetSigningCertificateInput{UserPoolId: &f.pool})
	require.NoError(t, err)
	cert := parseCert(t, aws.ToString(sc.Certificate))

	p = newAgent(t, f.s.URL).get(authz)
	require.Equal(t, http.StatusFound, p.status, p.body)
	_, query, _ := strings.Cut(p.loc, "?")
	raw := map[string]string{}
	for _, part := range strings.Split(query, "&") {
		k, _, _ := strings.Cut(part, "=")
		raw[k] = part
	}
	q, err := url.ParseQuery(query)
	require.NoError(t, err)
	assert.Equal(t, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", q.Get("SigAlg"))
	sig, err := base64.StdEncoding.DecodeString(q.Get("Signature"))
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(raw["SAMLRequest"] + "&" + raw["RelayState"] + "&" + raw["SigAlg"]))
	require.NoError(t, rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig),
		"signed with the certificate's key")

	// The identity provider, told the certificate, verifies the signature:
	// the pool's passes, one made with another key does not.
	a := newAgent(t, f.s.URL)
	assert.Equal(t, http.StatusOK, a.get(p.loc).status)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	forged, err := rsa.SignPKCS1v15(nil, other, crypto.SHA256, sum[:])
	require.NoError(t, err)
	bad := a.get(strings.Replace(p.loc, url.QueryEscape(q.Get("Signature")), url.QueryEscape(base64.StdEncoding.EncodeToString(forged)), 1))
	assert.Equal(t, http.StatusBadRequest, bad.status)
	assert.Contains(t, bad.body, "signature")

	id := f.signIn(t, url.Values{"identity_provider": {"CorpSAML"}}, "CorpSAML", ProviderUser{Subject: fedSAMLUser})
	assert.Equal(t, "CorpSAML_"+fedSAMLUser, id["cognito:username"], "the identity provider accepts the signed request")
}

// TestClientCredentialsAfterResourceServerChanges: the scopes an update
// or a delete takes away leave the app client, so client_credentials keeps
// issuing what is left and refuses what is gone.
func TestClientCredentialsAfterResourceServerChanges(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	auth := basicAuth(f.conf.ID, f.conf.Secret)
	grant := func(scope string) (int, map[string]any) {
		form := url.Values{"grant_type": {"client_credentials"}}
		if scope != "" {
			form.Set("scope", scope)
		}
		return tokenCall(t, f.s, form, auth)
	}
	_, err := f.c.UpdateResourceServer(ctx(), &cip.UpdateResourceServerInput{UserPoolId: &f.pool, Identifier: aws.String("orders"),
		Name: aws.String("Orders"), Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read orders")}}})
	require.NoError(t, err)
	dc, err := f.c.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: &f.pool, ClientId: &f.conf.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{"orders/read"}, dc.UserPoolClient.AllowedOAuthScopes)

	status, tok := grant("")
	require.Equal(t, 200, status, tok)
	assert.Equal(t, "orders/read", decodeClaims(t, tok["access_token"].(string))["scope"])
	status, tok = grant("orders/write")
	assert.Equal(t, 400, status)
	assert.Equal(t, "invalid_scope", tok["error"])

	_, err = f.c.DeleteResourceServer(ctx(), &cip.DeleteResourceServerInput{UserPoolId: &f.pool, Identifier: aws.String("orders")})
	require.NoError(t, err)
	status, tok = grant("orders/read")
	assert.Equal(t, 400, status, tok)
	assert.Equal(t, "invalid_scope", tok["error"])
}
