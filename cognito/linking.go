package cognito

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// SubjectAttribute is the ProviderAttributeName that names an identity
// provider's user by its subject: the OIDC sub, the Facebook or Amazon
// user ID, the SAML NameID.
const SubjectAttribute = "Cognito_Subject"

// AdminLinkProviderForUser links the identity subject of the pool's
// identity provider providerName ("Google", "Facebook", a SAML or OIDC
// provider's name) to the existing user username: that identity's
// sign-ins through the hosted UI then sign in as username, and the user's
// identities attribute lists the link. Cognito refuses (ErrInvalidParameter)
// when the provider's user already exists in the pool: link before the
// first federated sign-in.
func (c *Client) AdminLinkProviderForUser(ctx context.Context, username, providerName, subject string) error {
	_, err := c.api.AdminLinkProviderForUser(ctx, &cip.AdminLinkProviderForUserInput{
		UserPoolId: aws.String(c.userPoolID),
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"),
			ProviderAttributeValue: aws.String(username)},
		SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String(providerName),
			ProviderAttributeName: aws.String(SubjectAttribute), ProviderAttributeValue: aws.String(subject)},
	}, c.apiOptions...)
	return wrapErr("AdminLinkProviderForUser", err)
}

// AdminDisableProviderForUser removes the link of providerName's identity
// subject (and the provider's user of that identity, if any), so that
// its next sign-in is a new user.
func (c *Client) AdminDisableProviderForUser(ctx context.Context, providerName, subject string) error {
	_, err := c.api.AdminDisableProviderForUser(ctx, &cip.AdminDisableProviderForUserInput{
		UserPoolId: aws.String(c.userPoolID),
		User: &types.ProviderUserIdentifierType{ProviderName: aws.String(providerName),
			ProviderAttributeName: aws.String(SubjectAttribute), ProviderAttributeValue: aws.String(subject)},
	}, c.apiOptions...)
	return wrapErr("AdminDisableProviderForUser", err)
}
