package cognitotest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCustomDomainOverTheWire is the regression test of the finding
// "CreateUserPoolDomain with a custom domain is refused by request
// validation" (botocore's DomainType pattern has no dots; Cognito takes
// custom domains): through aws-sdk-go-v2, a custom domain is created,
// described, shown by DescribeUserPool, serves the hosted UI under its
// Host, is updated and deleted. What the model's pattern still refuses
// (upper case, empty labels, a leading hyphen) and its length bound stay
// refused.
func TestCustomDomainOverTheWire(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{CallbackURLs: []string{"https://app.example.com/cb"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid"}})
	const domain = "auth.example.com"
	cert := func(n string) *types.CustomDomainConfigType {
		return &types.CustomDomainConfigType{CertificateArn: aws.String("arn:aws:acm:us-east-1:123456789012:certificate/" + n)}
	}
	_, err := f.c.CreateUserPoolDomain(ctx(), &cip.CreateUserPoolDomainInput{UserPoolId: &f.pool, Domain: aws.String(domain),
		CustomDomainConfig: cert("one")})
	require.NoError(t, err)

	d, err := f.c.DescribeUserPoolDomain(ctx(), &cip.DescribeUserPoolDomainInput{Domain: aws.String(domain)})
	require.NoError(t, err)
	require.NotNil(t, d.DomainDescription)
	assert.Equal(t, f.pool, aws.ToString(d.DomainDescription.UserPoolId))
	require.NotNil(t, d.DomainDescription.CustomDomainConfig)
	assert.Equal(t, *cert("one").CertificateArn, aws.ToString(d.DomainDescription.CustomDomainConfig.CertificateArn))
	p, err := f.c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: &f.pool})
	require.NoError(t, err)
	assert.Equal(t, domain, aws.ToString(p.UserPool.CustomDomain))

	login := func(host string) int {
		q := url.Values{"client_id": {f.client.ID}, "response_type": {"code"}, "redirect_uri": {"https://app.example.com/cb"}, "scope": {"openid"}}
		req, err := http.NewRequest("GET", f.s.URL+"/login?"+q.Encode(), nil)
		require.NoError(t, err)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, login(domain), "the hosted UI under the custom domain")

	_, err = f.c.UpdateUserPoolDomain(ctx(), &cip.UpdateUserPoolDomainInput{UserPoolId: &f.pool, Domain: aws.String(domain),
		CustomDomainConfig: cert("two")})
	require.NoError(t, err)
	d, err = f.c.DescribeUserPoolDomain(ctx(), &cip.DescribeUserPoolDomainInput{Domain: aws.String(domain)})
	require.NoError(t, err)
	assert.Equal(t, *cert("two").CertificateArn, aws.ToString(d.DomainDescription.CustomDomainConfig.CertificateArn))

	_, err = f.c.DeleteUserPoolDomain(ctx(), &cip.DeleteUserPoolDomainInput{UserPoolId: &f.pool, Domain: aws.String(domain)})
	require.NoError(t, err)
	p, err = f.c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: &f.pool})
	require.NoError(t, err)
	assert.Empty(t, aws.ToString(p.UserPool.CustomDomain))
	d, err = f.c.DescribeUserPoolDomain(ctx(), &cip.DescribeUserPoolDomainInput{Domain: aws.String(domain)})
	require.NoError(t, err)
	assert.Empty(t, aws.ToString(d.DomainDescription.UserPoolId), "the domain is gone")

	for _, bad := range []string{"Auth.Example.com", "auth..example.com", "-auth.example.com", "auth.example.com.",
		"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.example.co.uk"} /* 64 characters */ {
		t.Run(bad, func(t *testing.T) {
			_, err := f.c.CreateUserPoolDomain(ctx(), &cip.CreateUserPoolDomainInput{UserPoolId: &f.pool, Domain: aws.String(bad),
				CustomDomainConfig: cert("one")})
			requireCode(t, err, "InvalidParameterException")
			assert.Contains(t, message(err), "at 'domain' failed to satisfy constraint")
		})
	}
}
