package cognitotest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/jwks"
)

const (
	idpAuthRole   = "arn:aws:iam::123456789012:role/FedAuth"
	idpUnauthRole = "arn:aws:iam::123456789012:role/FedUnauth"
	idpAdminRole  = "arn:aws:iam::123456789012:role/FedAdmin"
	idpOtherRole  = "arn:aws:iam::123456789012:role/FedOther"

	googleClient = "1234-web.apps.googleusercontent.com"
	appleClient  = "com.example.web"
	amazonClient = "amzn1.application-oa2-client.web"
	amazonApp    = "amzn1.application.web"
	twitterKey   = "tw-consumer-key"
	twitterSec   = "tw-consumer-secret"
	corpClient   = "corp-web"
)

// fedEnv is a server with every fake provider set up and one identity
// pool trusting them all.
type fedEnv struct {
	s    *Server
	ci   *ci.Client
	pool string
	oidc OIDCProvider
	saml SAMLProvider
}

func newFedEnv(t *testing.T) *fedEnv {
	t.Helper()
	s := newServer(t)
	e := &fedEnv{s: s, ci: ci.NewFromConfig(s.Config())}
	s.MustPutAmazonClient(AmazonClient{ClientID: amazonClient, Secret: "amazon-secret", AppID: amazonApp})
	s.MustPutAmazonClient(AmazonClient{ClientID: "amzn1.application-oa2-client.other", Secret: "s", AppID: "amzn1.application.other"})
	s.MustPutTwitterApp(twitterKey, twitterSec)
	s.MustPutTwitterApp("other-key", "other-secret")
	e.oidc = s.MustCreateOIDCProvider(OIDCProviderOptions{Name: "corp", ClientIDs: []string{corpClient},
		Thumbprints: []string{"9E99A48A9960B14926BB7F3B02E22DA2B0AB7280"}})
	e.saml = s.MustCreateSAMLProvider("corp-saml")
	e.pool = e.createPool(t, nil)
	return e
}

func (e *fedEnv) createPool(t *testing.T, mappings map[string]citypes.RoleMapping) string {
	t.Helper()
	out, err := e.ci.CreateIdentityPool(ctx(), &ci.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("tutorial"),
		AllowUnauthenticatedIdentities: true,
		SupportedLoginProviders: map[string]string{
			GoogleProvider:  googleClient,
			AppleProvider:   appleClient,
			AmazonProvider:  amazonApp,
			TwitterProvider: twitterKey + ";" + twitterSec,
		},
		OpenIdConnectProviderARNs: []string{e.oidc.ARN},
		SamlProviderARNs:          []string{e.saml.ARN},
	})
	require.NoError(t, err)
	_, err = e.ci.SetIdentityPoolRoles(ctx(), &ci.SetIdentityPoolRolesInput{IdentityPoolId: out.IdentityPoolId,
		Roles: map[string]string{"authenticated": idpAuthRole, "unauthenticated": idpUnauthRole}, RoleMappings: mappings})
	require.NoError(t, err)
	return *out.IdentityPoolId
}

// credentials runs the enhanced flow through the identity package and
// returns the role and authentication type the credentials were issued for.
func (e *fedEnv) credentials(t *testing.T, pool string, customRole string, logins ...identity.Login) (role, authType string, err error) {
	t.Helper()
	p := identity.NewProvider(e.ci, pool, func(o *identity.Options) {
		if len(logins) > 0 {
			o.Logins = identity.Logins(logins...)
		}
		o.CustomRoleARN = customRole
	})
	creds, err := p.Retrieve(ctx())
	if err != nil {
		return "", "", err
	}
	rec, ok := e.s.ids.LookupCredentials(creds.AccessKeyID)
	require.True(t, ok)
	return rec.RoleARN, rec.AuthType, nil
}

// getID runs GetId with a raw Logins map.
func (e *fedEnv) getID(pool string, logins map[string]string) error {
	_, err := e.ci.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: aws.String(pool), Logins: logins})
	return err
}

// tamperJWT changes the payload of a JWT and keeps its signature.
func tamperJWT(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	forged := strings.Replace(string(payload), `"sub":"`, `"sub":"x`, 1)
	require.NotEqual(t, string(payload), forged)
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2]
}

// tamperSAML changes the NameID of a signed SAMLResponse.
func tamperSAML(t *testing.T, resp, nameID string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(resp)
	require.NoError(t, err)
	forged := strings.ReplaceAll(string(raw), ">"+nameID+"<", ">mallory<")
	require.NotEqual(t, string(raw), forged)
	return base64.StdEncoding.EncodeToString([]byte(forged))
}

// TestIdentityPoolTutorialEveryProvider is issue 17's done-when: the
// identity-pool tutorial's flow on the emulator, through aws-sdk-go-v2 and
// the identity package. A login of each provider gets the authenticated
// role, a guest the unauthenticated one, and a forged or wrong-audience
// token of each provider is refused with Cognito's message.
func TestIdentityPoolTutorialEveryProvider(t *testing.T) {
	e := newFedEnv(t)
	s := e.s
	user := OIDCUser{Sub: "1001", Email: "ann@example.com", EmailVerified: true}
	google := s.MustGoogleToken(googleClient, user)
	apple := s.MustAppleToken(appleClient, user)
	corp := s.MustOIDCToken(e.oidc.ARN, corpClient, user)
	amazon := s.MustAmazonToken(amazonClient, AmazonUser{UserID: "amzn1.account.ANN", Name: "Ann"})
	twTok, twSecret := s.MustTwitterLogin(twitterKey, TwitterUser{ID: "2001", ScreenName: "ann"})
	otherTwTok, otherTwSecret := s.MustTwitterLogin("other-key", TwitterUser{ID: "2002"})
	assertion := s.MustSAMLAssertion(e.saml.ARN, SAMLUser{NameID: "ann@corp.example"})
	other := s.MustCreateSAMLProvider("other-saml")
	otherAssertion := s.MustSAMLAssertion(other.ARN, SAMLUser{NameID: "ann@corp.example"})

	const (
		audience = "Invalid login token. Incorrect token audience."
		forged   = "Invalid login token. Couldn't verify signed token."
	)
	cases := []struct {
		name   string
		login  identity.Login
		bad    map[string]map[string]string // refused Logins, by what is wrong
		reason map[string]string            // the message of each
	}{
		{"google", identity.GoogleLogin(google), map[string]map[string]string{
			"wrong audience": {GoogleProvider: s.MustGoogleToken("9999-other.apps.googleusercontent.com", user)},
			"forged":         {GoogleProvider: tamperJWT(t, google)},
			"other issuer":   {GoogleProvider: apple},
		}, map[string]string{"wrong audience": audience, "forged": forged, "other issuer": forged}},
		{"apple", identity.AppleLogin(apple), map[string]map[string]string{
			"wrong audience": {AppleProvider: s.MustAppleToken("com.example.other", user)},
			"forged":         {AppleProvider: tamperJWT(t, apple)},
		}, map[string]string{"wrong audience": audience, "forged": forged}},
		{"oidc by arn", identity.Login{Key: e.oidc.Key, Token: identity.StaticToken(corp)}, map[string]map[string]string{
			"wrong audience": {e.oidc.Key: s.MustOIDCToken(e.oidc.ARN, "someone-else", user)},
			"forged":         {e.oidc.Key: tamperJWT(t, corp)},
			"google's token": {e.oidc.Key: google},
		}, map[string]string{"wrong audience": audience, "forged": forged, "google's token": forged}},
		{"amazon", identity.AmazonLogin(amazon), map[string]map[string]string{
			"wrong audience": {AmazonProvider: s.MustAmazonToken("amzn1.application-oa2-client.other", AmazonUser{UserID: "amzn1.account.ANN"})},
			"forged":         {AmazonProvider: "Atza|" + strings.Repeat("A", 40)},
		}, map[string]string{"wrong audience": audience, "forged": forged}},
		{"twitter", identity.TwitterLogin(twTok, twSecret), map[string]map[string]string{
			"another app's token": {TwitterProvider: otherTwTok + ";" + otherTwSecret},
			"forged secret":       {TwitterProvider: twTok + ";" + strings.Repeat("0", len(twSecret))},
			"not token;secret":    {TwitterProvider: twTok},
		}, map[string]string{"another app's token": forged, "forged secret": forged, "not token;secret": forged}},
		{"saml by arn", identity.SAMLLogin(e.saml.ARN, assertion), map[string]map[string]string{
			"forged":                  {e.saml.ARN: tamperSAML(t, assertion, "ann@corp.example")},
			"another idp's assertion": {e.saml.ARN: otherAssertion},
			"idp not in the pool":     {other.ARN: otherAssertion},
		}, map[string]string{"forged": forged, "another idp's assertion": forged,
			"idp not in the pool": "Token is not from a supported provider of this identity pool."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			role, authType, err := e.credentials(t, e.pool, "", tc.login)
			require.NoError(t, err)
			assert.Equal(t, idpAuthRole, role)
			assert.Equal(t, "authenticated", authType)
			// The same login is the same identity.
			id1, err := e.ci.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &e.pool, Logins: map[string]string{tc.login.Key: mustToken(t, tc.login)}})
			require.NoError(t, err)
			id2, err := e.ci.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &e.pool, Logins: map[string]string{tc.login.Key: mustToken(t, tc.login)}})
			require.NoError(t, err)
			assert.Equal(t, *id1.IdentityId, *id2.IdentityId)
			for what, logins := range tc.bad {
				err := e.getID(e.pool, logins)
				requireCode(t, err, "NotAuthorizedException")
				assert.Equal(t, tc.reason[what], message(err), what)
			}
		})
	}

	t.Run("guest", func(t *testing.T) {
		role, authType, err := e.credentials(t, e.pool, "")
		require.NoError(t, err)
		assert.Equal(t, idpUnauthRole, role)
		assert.Equal(t, "unauthenticated", authType)
	})

	t.Run("provider the pool does not trust", func(t *testing.T) {
		out, err := e.ci.CreateIdentityPool(ctx(), &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("google_only"),
			SupportedLoginProviders: map[string]string{GoogleProvider: googleClient}})
		require.NoError(t, err)
		for key, tok := range map[string]string{AppleProvider: apple, AmazonProvider: amazon, TwitterProvider: twTok + ";" + twSecret,
			e.oidc.Key: corp, e.saml.ARN: assertion} {
			err := e.getID(*out.IdentityPoolId, map[string]string{key: tok})
			requireCode(t, err, "NotAuthorizedException")
			assert.Equal(t, "Token is not from a supported provider of this identity pool.", message(err), key)
		}
		require.NoError(t, e.getID(*out.IdentityPoolId, map[string]string{GoogleProvider: google}))
	})

	t.Run("expired", func(t *testing.T) {
		fresh := s.MustGoogleToken(googleClient, user)
		freshSAML := s.MustSAMLAssertion(e.saml.ARN, SAMLUser{NameID: "ann@corp.example"})
		require.NoError(t, e.getID(e.pool, map[string]string{GoogleProvider: fresh}))
		require.NoError(t, e.getID(e.pool, map[string]string{e.saml.ARN: freshSAML}), "an identity pool accepts an assertion twice")
		s.Advance(2 * time.Hour)
		for key, tok := range map[string]string{GoogleProvider: fresh, e.saml.ARN: freshSAML} {
			err := e.getID(e.pool, map[string]string{key: tok})
			requireCode(t, err, "NotAuthorizedException")
			assert.Equal(t, "Invalid login token. Token expired.", message(err), key)
		}
		// An expired Amazon token is unknown to Amazon's tokeninfo.
		err := e.getID(e.pool, map[string]string{AmazonProvider: amazon})
		requireCode(t, err, "NotAuthorizedException")
	})
}

func mustToken(t *testing.T, l identity.Login) string {
	t.Helper()
	tok, err := l.Token(ctx())
	require.NoError(t, err)
	return tok
}

func rulesMapping(resolution citypes.AmbiguousRoleResolutionType, rules ...citypes.MappingRule) citypes.RoleMapping {
	return citypes.RoleMapping{Type: citypes.RoleMappingTypeRules, AmbiguousRoleResolution: resolution,
		RulesConfiguration: &citypes.RulesConfigurationType{Rules: rules}}
}

// TestIdentityPoolRoleMappingRules: a Rules mapping gives the role of the
// first rule the token's claims match; otherwise AmbiguousRoleResolution
// decides (the authenticated role, or Cognito's refusal).
func TestIdentityPoolRoleMappingRules(t *testing.T) {
	e := newFedEnv(t)
	s := e.s
	rules := []citypes.MappingRule{
		{Claim: aws.String("email"), MatchType: citypes.MappingRuleMatchTypeContains, Value: aws.String("@corp.example"), RoleARN: aws.String(idpAdminRole)},
		{Claim: aws.String("sub"), MatchType: citypes.MappingRuleMatchTypeEquals, Value: aws.String("42"), RoleARN: aws.String(idpOtherRole)},
	}
	deny := e.createPool(t, map[string]citypes.RoleMapping{GoogleProvider: rulesMapping(citypes.AmbiguousRoleResolutionTypeDeny, rules...),
		e.saml.ARN: rulesMapping(citypes.AmbiguousRoleResolutionTypeDeny, citypes.MappingRule{Claim: aws.String("groups"),
			MatchType: citypes.MappingRuleMatchTypeEquals, Value: aws.String("admins"), RoleARN: aws.String(idpAdminRole)})})
	fallback := e.createPool(t, map[string]citypes.RoleMapping{GoogleProvider: rulesMapping(citypes.AmbiguousRoleResolutionTypeAuthenticatedRole, rules...)})

	corp := identity.GoogleLogin(s.MustGoogleToken(googleClient, OIDCUser{Sub: "7", Email: "bo@corp.example"}))
	fortyTwo := identity.GoogleLogin(s.MustGoogleToken(googleClient, OIDCUser{Sub: "42", Email: "x@example.com"}))
	outsider := identity.GoogleLogin(s.MustGoogleToken(googleClient, OIDCUser{Sub: "8", Email: "eve@example.com"}))
	admin := identity.SAMLLogin(e.saml.ARN, s.MustSAMLAssertion(e.saml.ARN, SAMLUser{NameID: "bo", Attributes: map[string][]string{"groups": {"staff", "admins"}}}))
	staff := identity.SAMLLogin(e.saml.ARN, s.MustSAMLAssertion(e.saml.ARN, SAMLUser{NameID: "cy", Attributes: map[string][]string{"groups": {"staff"}}}))

	cases := []struct {
		name  string
		pool  string
		login identity.Login
		role  string // empty: refused
	}{
		{"contains rule matches", deny, corp, idpAdminRole},
		{"second rule matches", deny, fortyTwo, idpOtherRole},
		{"no rule matches, Deny", deny, outsider, ""},
		{"no rule matches, AuthenticatedRole", fallback, outsider, idpAuthRole},
		{"rule matches with fallback", fallback, corp, idpAdminRole},
		{"saml attribute rule matches", deny, admin, idpAdminRole},
		{"saml attribute rule does not match", deny, staff, ""},
		{"provider without a mapping", deny, identity.AppleLogin(s.MustAppleToken(appleClient, OIDCUser{Sub: "9"})), idpAuthRole},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			role, _, err := e.credentials(t, tc.pool, "", tc.login)
			if tc.role == "" {
				requireCode(t, err, "NotAuthorizedException")
				assert.Equal(t, "The ambiguous role mapping rules for: "+tc.login.Key+" denied this request.", message(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.role, role)
		})
	}

	t.Run("invalid mappings are refused", func(t *testing.T) {
		bad := []citypes.RoleMapping{
			{Type: citypes.RoleMappingTypeToken},
			{Type: citypes.RoleMappingTypeRules, AmbiguousRoleResolution: citypes.AmbiguousRoleResolutionTypeDeny},
			rulesMapping(citypes.AmbiguousRoleResolutionTypeDeny, citypes.MappingRule{Claim: aws.String("email"),
				MatchType: citypes.MappingRuleMatchTypeEquals, Value: aws.String("x"), RoleARN: aws.String("not-a-role")}),
		}
		for i, m := range bad {
			_, err := e.ci.SetIdentityPoolRoles(ctx(), &ci.SetIdentityPoolRolesInput{IdentityPoolId: &deny,
				Roles: map[string]string{"authenticated": idpAuthRole}, RoleMappings: map[string]citypes.RoleMapping{GoogleProvider: m}})
			assert.Error(t, err, "mapping %d", i)
		}
		// The pool's mappings are left as they were.
		role, _, err := e.credentials(t, deny, "", corp)
		require.NoError(t, err)
		assert.Equal(t, idpAdminRole, role)
	})
}

// TestIdentityPoolRoleMappingToken: a Token mapping takes the role from the
// token: a user-pool group's role (cognito:preferred_role), a SAML
// assertion's Role attribute, or CustomRoleArn when the token grants it.
func TestIdentityPoolRoleMappingToken(t *testing.T) {
	e := newFedEnv(t)
	s := e.s
	pool := s.MustCreateUserPool(PoolOptions{})
	client := s.MustCreateUserPoolClient(pool, ClientOptions{})
	s.MustCreateGroup(pool, "admins", idpAdminRole, 1)
	s.MustCreateGroup(pool, "others", idpOtherRole, 2)
	for _, u := range []string{"ada", "bob", "cy"} {
		s.MustCreateUser(pool, u, testPassword, nil)
	}
	s.MustAddUserToGroup(pool, "ada", "admins")
	s.MustAddUserToGroup(pool, "ada", "others")
	idToken := func(user string) identity.Login {
		out, err := idp(s).InitiateAuth(ctx(), &cip.InitiateAuthInput{ClientId: &client.ID, AuthFlow: "USER_PASSWORD_AUTH",
			AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": testPassword}})
		require.NoError(t, err)
		return identity.Login{Key: s.IdentityProviderName(pool), Token: identity.StaticToken(*out.AuthenticationResult.IdToken)}
	}
	mappingKey := s.IdentityProviderName(pool) + ":" + client.ID
	mk := func(resolution citypes.AmbiguousRoleResolutionType) string {
		out, err := e.ci.CreateIdentityPool(ctx(), &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("token_roles"),
			CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{ProviderName: aws.String(s.IdentityProviderName(pool)), ClientId: &client.ID}},
			SamlProviderARNs:         []string{e.saml.ARN}})
		require.NoError(t, err)
		token := citypes.RoleMapping{Type: citypes.RoleMappingTypeToken, AmbiguousRoleResolution: resolution}
		_, err = e.ci.SetIdentityPoolRoles(ctx(), &ci.SetIdentityPoolRolesInput{IdentityPoolId: out.IdentityPoolId,
			Roles:        map[string]string{"authenticated": idpAuthRole},
			RoleMappings: map[string]citypes.RoleMapping{mappingKey: token, e.saml.ARN: token}})
		require.NoError(t, err)
		return *out.IdentityPoolId
	}
	deny, fallback := mk(citypes.AmbiguousRoleResolutionTypeDeny), mk(citypes.AmbiguousRoleResolutionTypeAuthenticatedRole)
	ada, bob := idToken("ada"), idToken("bob")
	twoRoles := identity.SAMLLogin(e.saml.ARN, s.MustSAMLAssertion(e.saml.ARN, SAMLUser{NameID: "di", Roles: []string{idpAdminRole, idpOtherRole}}))
	oneRole := identity.SAMLLogin(e.saml.ARN, s.MustSAMLAssertion(e.saml.ARN, SAMLUser{NameID: "ed", Roles: []string{idpOtherRole}}))

	cases := []struct {
		name, pool, custom string
		login              identity.Login
		role               string // empty: refused
		msg                string
	}{
		{"preferred role of the user's groups", deny, "", ada, idpAdminRole, ""},
		{"custom role the token grants", deny, idpOtherRole, ada, idpOtherRole, ""},
		{"custom role the token does not grant", deny, idpAuthRole, ada, "", "is not one of the roles"},
		{"no group, Deny", deny, "", bob, "", "The ambiguous role mapping rules for: " + mappingKey + " denied this request."},
		{"no group, AuthenticatedRole", fallback, "", bob, idpAuthRole, ""},
		{"saml with one role", deny, "", oneRole, idpOtherRole, ""},
		{"saml with two roles, none chosen, Deny", deny, "", twoRoles, "", "The ambiguous role mapping rules for: " + e.saml.ARN + " denied this request."},
		{"saml with two roles, none chosen, AuthenticatedRole", fallback, "", twoRoles, idpAuthRole, ""},
		{"saml with two roles, one chosen", deny, idpAdminRole, twoRoles, idpAdminRole, ""},
		{"saml with a role it does not offer", deny, idpAuthRole, oneRole, "", "is not one of the roles"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			role, _, err := e.credentials(t, tc.pool, tc.custom, tc.login)
			if tc.role == "" {
				requireCode(t, err, "NotAuthorizedException")
				assert.Contains(t, message(err), tc.msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.role, role)
		})
	}
}

// TestProviderHelpersRefuseBadInput: the registration and minting helpers
// answer bad input with an error, and their Must forms panic.
func TestProviderHelpersRefuseBadInput(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name string
		err  error
		must func()
	}{
		{"GoogleToken without sub", second(s.GoogleToken(googleClient, OIDCUser{})), func() { s.MustGoogleToken(googleClient, OIDCUser{}) }},
		{"AppleToken without client", second(s.AppleToken("", OIDCUser{Sub: "1"})), func() { s.MustAppleToken("", OIDCUser{Sub: "1"}) }},
		{"AmazonToken unknown client", second(s.AmazonToken("nope", AmazonUser{UserID: "u"})), func() { s.MustAmazonToken("nope", AmazonUser{UserID: "u"}) }},
		{"PutAmazonClient without app", s.PutAmazonClient(AmazonClient{ClientID: "c"}), func() { s.MustPutAmazonClient(AmazonClient{ClientID: "c"}) }},
		{"TwitterLogin unknown app", thirdErr(s.TwitterLogin("nope", TwitterUser{ID: "1"})), func() { s.MustTwitterLogin("nope", TwitterUser{ID: "1"}) }},
		{"PutTwitterApp empty", s.PutTwitterApp("", ""), func() { s.MustPutTwitterApp("", "") }},
		{"CreateOIDCProvider bad name", second(s.CreateOIDCProvider(OIDCProviderOptions{Name: "a b", ClientIDs: []string{"c"}})),
			func() { s.MustCreateOIDCProvider(OIDCProviderOptions{Name: "a b", ClientIDs: []string{"c"}}) }},
		{"CreateOIDCProvider no client", second(s.CreateOIDCProvider(OIDCProviderOptions{Name: "x"})), func() { s.MustCreateOIDCProvider(OIDCProviderOptions{Name: "x"}) }},
		{"CreateOIDCProvider bad thumbprint", second(s.CreateOIDCProvider(OIDCProviderOptions{Name: "x", ClientIDs: []string{"c"}, Thumbprints: []string{"zz"}})),
			func() {
				s.MustCreateOIDCProvider(OIDCProviderOptions{Name: "x", ClientIDs: []string{"c"}, Thumbprints: []string{"zz"}})
			}},
		{"OIDCToken unknown provider", second(s.OIDCToken("arn:aws:iam::123456789012:oidc-provider/nope", "c", OIDCUser{Sub: "1"})),
			func() { s.MustOIDCToken("arn:aws:iam::123456789012:oidc-provider/nope", "c", OIDCUser{Sub: "1"}) }},
		{"CreateSAMLProvider bad name", second(s.CreateSAMLProvider("a b")), func() { s.MustCreateSAMLProvider("a b") }},
		{"SAMLAssertion unknown provider", second(s.SAMLAssertion("arn:aws:iam::123456789012:saml-provider/nope", SAMLUser{NameID: "n"})),
			func() { s.MustSAMLAssertion("arn:aws:iam::123456789012:saml-provider/nope", SAMLUser{NameID: "n"}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Error(t, tc.err)
			assert.Panics(t, tc.must)
		})
	}
	// Registering twice is refused; the first registration stands.
	p := s.MustCreateOIDCProvider(OIDCProviderOptions{Name: "dup", ClientIDs: []string{"c"}})
	_, err := s.CreateOIDCProvider(OIDCProviderOptions{Name: "dup", ClientIDs: []string{"d"}})
	require.Error(t, err)
	assert.NotEmpty(t, s.MustOIDCToken(p.ARN, "c", OIDCUser{Sub: "1"}))
	sp := s.MustCreateSAMLProvider("dup")
	_, err = s.CreateSAMLProvider("dup")
	require.Error(t, err)
	assert.NotEmpty(t, s.MustSAMLAssertion(sp.ARN, SAMLUser{NameID: "n"}))
	// An unstarted server has no URL for a default issuer.
	u := NewUnstartedServer()
	_, err = u.CreateOIDCProvider(OIDCProviderOptions{Name: "x", ClientIDs: []string{"c"}})
	assert.Error(t, err)
	_, err = u.CreateSAMLProvider("x")
	assert.Error(t, err)
}

func thirdErr[A, B any](_ A, _ B, err error) error { return err }

// TestIdentityPoolOpenIDTokensVerify: the OpenID tokens of the basic flow
// verify with jwks.NewCognitoIdentityVerifier against the key the emulator
// publishes (the document at IdentityPoolJWKSURL), and a tampered one or
// one of another pool does not.
func TestIdentityPoolOpenIDTokensVerify(t *testing.T) {
	e := newFedEnv(t)
	s := e.s
	out, err := e.ci.CreateIdentityPool(ctx(), &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("classic"),
		AllowUnauthenticatedIdentities: true, AllowClassicFlow: aws.Bool(true),
		SupportedLoginProviders: map[string]string{GoogleProvider: googleClient}})
	require.NoError(t, err)
	pool := *out.IdentityPoolId
	logins := map[string]string{GoogleProvider: s.MustGoogleToken(googleClient, OIDCUser{Sub: "77"})}
	id, err := e.ci.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &pool, Logins: logins})
	require.NoError(t, err)
	tok, err := e.ci.GetOpenIdToken(ctx(), &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins})
	require.NoError(t, err)

	doc := s.MustIdentityPoolJWKS()
	resp, err := http.Get(s.IdentityPoolJWKSURL())
	require.NoError(t, err)
	served, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.JSONEq(t, string(doc), string(served))
	resp, err = http.Get(s.URL + "/.well-known/openid-configuration")
	require.NoError(t, err)
	var disc map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&disc))
	resp.Body.Close()
	assert.Equal(t, jwks.CognitoIdentityIssuer, disc["issuer"])
	assert.Equal(t, s.IdentityPoolJWKSURL(), disc["jwks_uri"])

	verifier := func(pools ...string) *jwks.OIDCVerifier {
		v, err := jwks.NewCognitoIdentityVerifier(pools, func(o *jwks.OIDCOptions) { o.JWKS = served; o.Clock = s.Now })
		require.NoError(t, err)
		return v
	}
	c, err := verifier(pool).Verify(ctx(), *tok.Token)
	require.NoError(t, err)
	assert.Equal(t, *id.IdentityId, c.Subject)
	assert.Equal(t, []string{pool}, c.Audience)
	_, err = verifier(pool).Verify(ctx(), tamperJWT(t, *tok.Token))
	assert.Error(t, err)
	_, err = verifier(e.pool).Verify(ctx(), *tok.Token)
	assert.Error(t, err, "a token of another pool")
}

// TestProviderHTTPSurfaces: each fake is served under its path, the ones
// created by name under theirs, and an unknown name is a 404.
func TestProviderHTTPSurfaces(t *testing.T) {
	s := newServer(t)
	corp := s.MustCreateOIDCProvider(OIDCProviderOptions{Name: "corp", ClientIDs: []string{"c"}})
	s.MustCreateSAMLProvider("corp-saml")
	get := func(path string) (int, string) {
		resp, err := http.Get(s.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		path     string
		status   int
		contains string
	}{
		{"/_emulator/google/.well-known/openid-configuration", 200, `"issuer":"https://accounts.google.com"`},
		{"/_emulator/apple/.well-known/openid-configuration", 200, `"issuer":"https://appleid.apple.com"`},
		{"/_emulator/oidc/corp/.well-known/openid-configuration", 200, `"issuer":"` + corp.Issuer + `"`},
		{"/_emulator/oidc/corp/jwks", 200, `"keys"`},
		{"/_emulator/saml/corp-saml/metadata", 200, "EntityDescriptor"},
		{"/_emulator/oidc/nobody/.well-known/openid-configuration", 404, ""},
		{"/_emulator/saml/nobody/metadata", 404, ""},
		{"/_emulator/amazon/auth/o2/tokeninfo?access_token=nope", 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			status, body := get(tc.path)
			if tc.status == 400 {
				assert.GreaterOrEqual(t, status, 400)
			} else {
				assert.Equal(t, tc.status, status, body)
			}
			assert.Contains(t, strings.ReplaceAll(body, " ", ""), tc.contains)
		})
	}
}

// BenchmarkIdentityPoolFederatedGetID measures GetId through aws-sdk-go-v2
// for a Google ID token (an RS256 verification) and a SAML assertion (an
// XML signature verification by crewjam/saml).
func BenchmarkIdentityPoolFederatedGetID(b *testing.B) {
	s := NewServer()
	defer s.Close()
	s.MustCreateSAMLProvider("bench")
	arn := "arn:aws:iam::" + AccountID + ":saml-provider/bench"
	pool := s.MustCreateIdentityPool(IdentityPoolOptions{LoginProviders: map[string]string{GoogleProvider: googleClient},
		SAMLProviderARNs: []string{arn}})
	client := ci.NewFromConfig(s.Config())
	for _, bc := range []struct {
		name   string
		logins map[string]string
	}{
		{"google", map[string]string{GoogleProvider: s.MustGoogleToken(googleClient, OIDCUser{Sub: "1"})}},
		{"saml", map[string]string{arn: s.MustSAMLAssertion(arn, SAMLUser{NameID: "n"})}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := client.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &pool, Logins: bc.logins}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
