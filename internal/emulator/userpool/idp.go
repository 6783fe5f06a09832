package userpool

// idpTarget is cognito-idp's X-Amz-Target prefix.
const idpTarget = "AWSCognitoIdentityProviderService"

func init() {
	rw := func(fn func(*Server, *call) (any, error)) op { return op{fn: fn} }
	ro := func(fn func(*Server, *call) (any, error)) op { return op{fn: fn, readOnly: true} }
	// Operations Cognito serves without IAM credentials (the caller is
	// authenticated by ClientId, a code, a session or an access token).
	pub := func(o op) op { o.public = true; return o }
	registerTarget(idpTarget, map[string]op{
		// pools, clients, groups
		"CreateUserPool":         rw(opCreateUserPool),
		"DescribeUserPool":       ro(opDescribeUserPool),
		"ListUserPools":          ro(opListUserPools),
		"DeleteUserPool":         rw(opDeleteUserPool),
		"CreateUserPoolClient":   rw(opCreateUserPoolClient),
		"DescribeUserPoolClient": ro(opDescribeUserPoolClient),
		"UpdateUserPoolClient":   rw(opUpdateUserPoolClient),
		"ListUserPoolClients":    ro(opListUserPoolClients),
		"DeleteUserPoolClient":   rw(opDeleteUserPoolClient),
		"CreateGroup":            rw(opCreateGroup),
		"GetGroup":               ro(opGetGroup),
		"DeleteGroup":            rw(opDeleteGroup),
		"ListGroups":             ro(opListGroups),
		"ListUsersInGroup":       ro(opListUsersInGroup),
		// self-service users
		"SignUp":                           pub(rw(opSignUp)),
		"ConfirmSignUp":                    pub(rw(opConfirmSignUp)),
		"ResendConfirmationCode":           pub(rw(opResendConfirmationCode)),
		"ForgotPassword":                   pub(rw(opForgotPassword)),
		"ConfirmForgotPassword":            pub(rw(opConfirmForgotPassword)),
		"ChangePassword":                   pub(rw(opChangePassword)),
		"GetUser":                          pub(ro(opGetUser)),
		"UpdateUserAttributes":             pub(rw(opUpdateUserAttributes)),
		"GetUserAttributeVerificationCode": pub(rw(opGetUserAttributeVerificationCode)),
		"VerifyUserAttribute":              pub(rw(opVerifyUserAttribute)),
		"DeleteUser":                       pub(rw(opDeleteUser)),
		"GlobalSignOut":                    pub(rw(opGlobalSignOut)),
		"RevokeToken":                      pub(rw(opRevokeToken)),
		// admin users
		"AdminCreateUser":           rw(opAdminCreateUser),
		"AdminGetUser":              ro(opAdminGetUser),
		"AdminSetUserPassword":      rw(opAdminSetUserPassword),
		"AdminUpdateUserAttributes": rw(opAdminUpdateUserAttributes),
		"AdminDeleteUserAttributes": rw(opAdminDeleteUserAttributes),
		"AdminDeleteUser":           rw(opAdminDeleteUser),
		"AdminDisableUser":          rw(opAdminDisableUser),
		"AdminEnableUser":           rw(opAdminEnableUser),
		"AdminConfirmSignUp":        rw(opAdminConfirmSignUp),
		"AdminResetUserPassword":    rw(opAdminResetUserPassword),
		"AdminUserGlobalSignOut":    rw(opAdminUserGlobalSignOut),
		"AdminAddUserToGroup":       rw(opAdminAddUserToGroup),
		"AdminRemoveUserFromGroup":  rw(opAdminRemoveUserFromGroup),
		"AdminListGroupsForUser":    ro(opAdminListGroupsForUser),
		"ListUsers":                 ro(opListUsers),
		"AdminSetUserMFAPreference": rw(opAdminSetUserMFAPreference),
		"AdminGetDevice":            ro(opAdminGetDevice),
		"AdminListDevices":          ro(opAdminListDevices),
		"AdminForgetDevice":         rw(opAdminForgetDevice),
		"AdminUpdateDeviceStatus":   rw(opAdminUpdateDeviceStatus),
		// sign-in
		"InitiateAuth":                pub(rw(opInitiateAuth)),
		"AdminInitiateAuth":           rw(opAdminInitiateAuth),
		"RespondToAuthChallenge":      pub(rw(opRespondToAuthChallenge)),
		"AdminRespondToAuthChallenge": rw(opAdminRespondToAuthChallenge),
		// MFA
		"AssociateSoftwareToken": pub(rw(opAssociateSoftwareToken)),
		"VerifySoftwareToken":    pub(rw(opVerifySoftwareToken)),
		"SetUserMFAPreference":   pub(rw(opSetUserMFAPreference)),
		// devices
		"ConfirmDevice":      pub(rw(opConfirmDevice)),
		"UpdateDeviceStatus": pub(rw(opUpdateDeviceStatus)),
		"GetDevice":          pub(ro(opGetDevice)),
		"ListDevices":        pub(ro(opListDevices)),
		"ForgetDevice":       pub(rw(opForgetDevice)),
	})
}
