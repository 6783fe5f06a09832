package identity

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// GetIDAPIClient is a client for the cognito-identity GetId operation.
// *cognitoidentity.Client satisfies it.
type GetIDAPIClient interface {
	GetId(ctx context.Context, params *cognitoidentity.GetIdInput, optFns ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdOutput, error)
}

// GetCredentialsForIdentityAPIClient is a client for the cognito-identity
// GetCredentialsForIdentity operation. *cognitoidentity.Client satisfies it.
type GetCredentialsForIdentityAPIClient interface {
	GetCredentialsForIdentity(ctx context.Context, params *cognitoidentity.GetCredentialsForIdentityInput, optFns ...func(*cognitoidentity.Options)) (*cognitoidentity.GetCredentialsForIdentityOutput, error)
}

// GetOpenIDTokenAPIClient is a client for the cognito-identity GetOpenIdToken
// operation. *cognitoidentity.Client satisfies it.
type GetOpenIDTokenAPIClient interface {
	GetOpenIdToken(ctx context.Context, params *cognitoidentity.GetOpenIdTokenInput, optFns ...func(*cognitoidentity.Options)) (*cognitoidentity.GetOpenIdTokenOutput, error)
}

// GetOpenIDTokenForDeveloperIdentityAPIClient is a client for the
// cognito-identity GetOpenIdTokenForDeveloperIdentity operation, which needs
// IAM (SigV4) credentials of the developer's back end.
// *cognitoidentity.Client satisfies it.
type GetOpenIDTokenForDeveloperIdentityAPIClient interface {
	GetOpenIdTokenForDeveloperIdentity(ctx context.Context, params *cognitoidentity.GetOpenIdTokenForDeveloperIdentityInput, optFns ...func(*cognitoidentity.Options)) (*cognitoidentity.GetOpenIdTokenForDeveloperIdentityOutput, error)
}

// AssumeRoleWithWebIdentityAPIClient is a client for the STS
// AssumeRoleWithWebIdentity operation. *sts.Client satisfies it.
type AssumeRoleWithWebIdentityAPIClient interface {
	AssumeRoleWithWebIdentity(ctx context.Context, params *sts.AssumeRoleWithWebIdentityInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleWithWebIdentityOutput, error)
}

// EnhancedAPIClient is what the enhanced (simplified) flow calls: GetId, then
// GetCredentialsForIdentity. *cognitoidentity.Client satisfies it.
type EnhancedAPIClient interface {
	GetIDAPIClient
	GetCredentialsForIdentityAPIClient
}

// BasicAPIClient is what the basic (classic) flow calls on cognito-identity:
// GetId, then GetOpenIdToken. *cognitoidentity.Client satisfies it.
type BasicAPIClient interface {
	GetIDAPIClient
	GetOpenIDTokenAPIClient
}

var (
	_ EnhancedAPIClient                           = (*cognitoidentity.Client)(nil)
	_ BasicAPIClient                              = (*cognitoidentity.Client)(nil)
	_ GetOpenIDTokenForDeveloperIdentityAPIClient = (*cognitoidentity.Client)(nil)
	_ AssumeRoleWithWebIdentityAPIClient          = (*sts.Client)(nil)
)
