package userpool

// UpdateUserPool, as Cognito has it: the settings it takes replace the
// pool's, and a setting left out goes back to its default (the password
// and sign-in policies, MFA, auto-verified attributes, admin-only sign-up,
// device tracking, deletion protection, tags, LambdaConfig, the messages
// and configuration blocks of poolSettings and the invitation template; the
// tier stays unless given).
// What UpdateUserPool cannot change stays: the ID, the username and alias
// attributes, case sensitivity and the schema.

type updateUserPoolInput struct {
	UserPoolId string `json:"UserPoolId"`
	createUserPoolInput
}

func (in *updateUserPoolInput) poolID() string { return in.UserPoolId }

func opUpdateUserPool(s *Server, c *call) (any, error) {
	var in updateUserPoolInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	ci := in.createUserPoolInput
	if ci.PoolName == "" {
		ci.PoolName = p.Name
	}
	if ci.UserPoolTier == "" {
		ci.UserPoolTier = p.Tier
	}
	// New validates and fills the settings from defaults; only what
	// UpdateUserPool may change is taken from it.
	ci.UsernameAttributes, ci.AliasAttributes, ci.Schema, ci.UsernameConfiguration = nil, nil, nil, nil
	np, err := s.newPool(&ci, c.now)
	if err != nil {
		return nil, err
	}
	p.Name, p.Policy, p.MFA, p.AutoVerifiedAttributes = np.Name, np.Policy, np.MFA, np.AutoVerifiedAttributes
	p.AdminCreateOnly, p.DeletionProtection, p.Tags = np.AdminCreateOnly, np.DeletionProtection, np.Tags
	p.DeviceTracking, p.DeviceChallengeNew, p.DeviceOnPrompt = np.DeviceTracking, np.DeviceChallengeNew, np.DeviceOnPrompt
	p.Tier, p.SignInFactors = np.Tier, np.SignInFactors
	p.Lambda = np.Lambda
	p.Settings, p.Invite = np.Settings, np.Invite
	p.Modified = c.now
	return map[string]any{}, nil
}

func init() {
	registerTarget(idpTarget, map[string]op{"UpdateUserPool": {fn: opUpdateUserPool}})
}
