package federation

import (
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeamazon"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth/oauthtest"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoidc"
	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
	"github.com/cognitokit/cognitokit/internal/emulator/faketwitter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const role = "arn:aws:iam::123456789012:role/Fed,arn:aws:iam::123456789012:saml-provider/Fake"

func TestSplitTrusted(t *testing.T) {
	assert.Equal(t, []string{"a", "b"}, SplitTrusted(" a, ,b "))
	assert.Empty(t, SplitTrusted(""))
}

func TestLoginVerifiers(t *testing.T) {
	clk := oauthtest.NewClock(time.Now().UTC().Truncate(time.Second))

	google, err := fakeoidc.New(fakeoidc.Config{Issuer: fakeoidc.GoogleIssuer, Prefix: "/g/", Now: clk.Now})
	require.NoError(t, err)
	gTok, err := google.MintIDToken("client-1", fakeoidc.User{Sub: "g-1", Email: "g@example.com"}, "")
	require.NoError(t, err)

	amazon, err := fakeamazon.New("/a/", clk.Now, nil)
	require.NoError(t, err)
	require.NoError(t, amazon.RegisterClient(fakeamazon.Client{Client: fakeoauth.Client{ID: "amzn1.application-oa2-client.c",
		Secret: "s", RedirectURIs: []string{"https://rp.example/cb"}}, AppID: "amzn1.application.app"}))
	aTok, err := amazon.MintAccessToken("amzn1.application-oa2-client.c", fakeamazon.Profile{UserID: "amzn1.account.A"})
	require.NoError(t, err)

	twitter, err := faketwitter.New("/t/", clk.Now, nil)
	require.NoError(t, err)
	require.NoError(t, twitter.PutConsumer("ck", "cs"))
	tTok, tSec, err := twitter.MintToken("ck", faketwitter.User{ID: "99"})
	require.NoError(t, err)

	idp, err := fakesaml.NewIdP(fakesaml.IdPConfig{BaseURL: "http://127.0.0.1:9229", Prefix: "/_emulator/saml/", Now: clk.Now})
	require.NoError(t, err)
	require.NoError(t, idp.RegisterServiceProvider(fakesaml.AWSEntityID, fakesaml.AWSACSURL))
	require.NoError(t, idp.PutUser(fakesaml.User{NameID: "ann", Attributes: map[string][]string{fakesaml.AttrRole: {role}}}))
	md, err := idp.Metadata()
	require.NoError(t, err)
	sp, err := fakesaml.NewSP(fakesaml.SPConfig{EntityID: fakesaml.AWSEntityID, ACSURL: fakesaml.AWSACSURL, IdPMetadata: md,
		AllowIDPInitiated: true, SkipReplayCheck: true, Now: clk.Now})
	require.NoError(t, err)
	samlResp := func() string {
		r, err := idp.RespondUnsolicited(fakesaml.AWSEntityID, "ann", "")
		require.NoError(t, err)
		return r.SAMLResponse
	}

	tests := []struct {
		name    string
		v       LoginVerifier
		login   func() string
		trusted []string
		advance time.Duration
		subject string
		want    error
	}{
		{"google", OIDC{google}, func() string { return gTok }, []string{"other", "client-1"}, 0, "g-1", nil},
		{"google, untrusted client", OIDC{google}, func() string { return gTok }, []string{"other"}, 0, "", ErrWrongAudience},
		{"google, forged", OIDC{google}, func() string { return gTok[:len(gTok)-4] + "AAAA" }, []string{"client-1"}, 0, "", ErrInvalidLogin},
		{"google, expired", OIDC{google}, func() string { return gTok }, []string{"client-1"}, 2 * time.Hour, "", ErrExpiredLogin},
		{"amazon", Amazon{amazon}, func() string { return aTok }, []string{"amzn1.application.app"}, 0, "amzn1.account.A", nil},
		{"amazon, other app", Amazon{amazon}, func() string { return aTok }, []string{"amzn1.application.other"}, 0, "", ErrWrongAudience},
		{"amazon, forged", Amazon{amazon}, func() string { return "Atza|forged" }, []string{"amzn1.application.app"}, 0, "", ErrInvalidLogin},
		{"twitter", Twitter{twitter}, func() string { return tTok + ";" + tSec }, []string{"ck;cs"}, 0, "99", nil},
		{"twitter, wrong pair", Twitter{twitter}, func() string { return tTok + ";x" }, []string{"ck;cs"}, 0, "", ErrInvalidLogin},
		{"twitter, other app", Twitter{twitter}, func() string { return tTok + ";" + tSec }, []string{"ck2;cs"}, 0, "", ErrInvalidLogin},
		{"saml", SAML{sp}, samlResp, nil, 0, "ann", nil},
		{"saml, expired", SAML{sp}, samlResp, nil, 10 * time.Minute, "", ErrExpiredLogin},
		{"saml, garbage", SAML{sp}, func() string { return "PHNhbWw+" }, nil, 0, "", ErrInvalidLogin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			login := tc.login()
			clk.Add(tc.advance)
			defer clk.Add(-tc.advance)
			l, err := tc.v.VerifyLogin(login, tc.trusted)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.subject, l.Subject)
			if tc.name == "saml" {
				assert.Equal(t, []string{role}, l.Roles)
				assert.Equal(t, fakesaml.AWSEntityID, l.Audience)
				// GetCredentialsForIdentity carries the assertion GetId had.
				_, err := tc.v.VerifyLogin(login, tc.trusted)
				require.NoError(t, err)
			}
		})
	}
}
