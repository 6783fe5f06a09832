package userpool

import (
	"sort"
	"strings"
	"time"
)

// Standard attributes of every user pool (OpenID Connect's, plus sub).
var standardAttributes = []string{
	"sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
	"profile", "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo",
	"locale", "phone_number", "phone_number_verified", "address", "updated_at",
}

type passwordPolicyWire struct {
	MinimumLength                 *int32 `json:"MinimumLength,omitempty"`
	RequireUppercase              *bool  `json:"RequireUppercase,omitempty"`
	RequireLowercase              *bool  `json:"RequireLowercase,omitempty"`
	RequireNumbers                *bool  `json:"RequireNumbers,omitempty"`
	RequireSymbols                *bool  `json:"RequireSymbols,omitempty"`
	TemporaryPasswordValidityDays *int32 `json:"TemporaryPasswordValidityDays,omitempty"`
	PasswordHistorySize           *int32 `json:"PasswordHistorySize,omitempty"`
}

type schemaWire struct {
	Name                       string `json:"Name"`
	AttributeDataType          string `json:"AttributeDataType,omitempty"`
	Mutable                    *bool  `json:"Mutable,omitempty"`
	Required                   *bool  `json:"Required,omitempty"`
	DeveloperOnlyAttribute     *bool  `json:"DeveloperOnlyAttribute,omitempty"`
	StringAttributeConstraints *struct {
		MinLength *string `json:"MinLength,omitempty"`
		MaxLength *string `json:"MaxLength,omitempty"`
	} `json:"StringAttributeConstraints,omitempty"`
	NumberAttributeConstraints *struct {
		MinValue *string `json:"MinValue,omitempty"`
		MaxValue *string `json:"MaxValue,omitempty"`
	} `json:"NumberAttributeConstraints,omitempty"`
}

type createUserPoolInput struct {
	PoolName               string        `json:"PoolName"`
	Policies               *poolPolicies `json:"Policies"`
	UsernameAttributes     []string      `json:"UsernameAttributes"`
	AliasAttributes        []string      `json:"AliasAttributes"`
	AutoVerifiedAttributes []string      `json:"AutoVerifiedAttributes"`
	MfaConfiguration       string        `json:"MfaConfiguration"`
	Schema                 []schemaWire  `json:"Schema"`
	AdminCreateUserConfig  *struct {
		AllowAdminCreateUserOnly *bool            `json:"AllowAdminCreateUserOnly"`
		InviteMessageTemplate    *messageTemplate `json:"InviteMessageTemplate"`
	} `json:"AdminCreateUserConfig"`
	DeviceConfiguration *struct {
		ChallengeRequiredOnNewDevice     *bool `json:"ChallengeRequiredOnNewDevice"`
		DeviceOnlyRememberedOnUserPrompt *bool `json:"DeviceOnlyRememberedOnUserPrompt"`
	} `json:"DeviceConfiguration"`
	UsernameConfiguration *struct {
		CaseSensitive *bool `json:"CaseSensitive"`
	} `json:"UsernameConfiguration"`
	DeletionProtection string            `json:"DeletionProtection"`
	UserPoolTags       map[string]string `json:"UserPoolTags"`
	UserPoolTier       string            `json:"UserPoolTier"`
	LambdaConfig       *lambdaConfig     `json:"LambdaConfig"`
	poolSettings
}

// poolPolicies is CreateUserPool's Policies.
type poolPolicies struct {
	PasswordPolicy *passwordPolicyWire `json:"PasswordPolicy"`
	SignInPolicy   *signInPolicyWire   `json:"SignInPolicy"`
}

func defaultPolicy() passwordPolicy {
	return passwordPolicy{MinimumLength: 8, RequireUppercase: true, RequireLowercase: true,
		RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: 7}
}

func (s *Server) newPool(in *createUserPoolInput, now time.Time) (*pool, error) {
	if in.PoolName == "" {
		return nil, required("poolName", "")
	}
	if len(in.PoolName) > 128 {
		return nil, errInvalidParam("1 validation error detected: Value at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128")
	}
	for _, a := range in.UsernameAttributes {
		if a != "email" && a != "phone_number" {
			return nil, errInvalidParam("Invalid UsernameAttributes value %q: only email and phone_number are allowed.", a)
		}
	}
	for _, a := range in.AliasAttributes {
		if a != "email" && a != "phone_number" && a != "preferred_username" {
			return nil, errInvalidParam("Invalid AliasAttributes value %q.", a)
		}
	}
	if len(in.UsernameAttributes) > 0 && len(in.AliasAttributes) > 0 {
		return nil, errInvalidParam("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	for _, a := range in.AutoVerifiedAttributes {
		if a != "email" && a != "phone_number" {
			return nil, errInvalidParam("Invalid AutoVerifiedAttributes value %q.", a)
		}
	}
	if err := checkTags(in.UserPoolTags); err != nil {
		return nil, err
	}
	mfa := in.MfaConfiguration
	switch mfa {
	case "":
		mfa = "OFF"
	case "OFF", "ON", "OPTIONAL":
	default:
		return nil, errInvalidParam("1 validation error detected: Value '%s' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]", mfa)
	}
	p := &pool{
		ID:                     s.opts.Region + "_" + s.randString(9, alnum),
		Name:                   in.PoolName,
		Created:                now,
		Modified:               now,
		UsernameAttributes:     in.UsernameAttributes,
		AliasAttributes:        in.AliasAttributes,
		AutoVerifiedAttributes: in.AutoVerifiedAttributes,
		Policy:                 defaultPolicy(),
		MFA:                    mfa,
		DeletionProtection:     "INACTIVE",
		Tags:                   in.UserPoolTags,
		CaseSensitive:          true, // Cognito's API default
	}
	if in.DeletionProtection == "ACTIVE" {
		p.DeletionProtection = "ACTIVE"
	}
	if in.Policies != nil && in.Policies.PasswordPolicy != nil {
		w := in.Policies.PasswordPolicy
		pp := passwordPolicy{MinimumLength: 8, TemporaryPasswordValidityDays: 7}
		if w.MinimumLength != nil {
			if *w.MinimumLength < 6 || *w.MinimumLength > 99 {
				return nil, errInvalidParam("Password policy MinimumLength must be between 6 and 99.")
			}
			pp.MinimumLength = int(*w.MinimumLength)
		}
		if w.TemporaryPasswordValidityDays != nil {
			pp.TemporaryPasswordValidityDays = int(*w.TemporaryPasswordValidityDays)
		}
		pp.RequireUppercase = w.RequireUppercase != nil && *w.RequireUppercase
		pp.RequireLowercase = w.RequireLowercase != nil && *w.RequireLowercase
		pp.RequireNumbers = w.RequireNumbers != nil && *w.RequireNumbers
		pp.RequireSymbols = w.RequireSymbols != nil && *w.RequireSymbols
		if h := w.PasswordHistorySize; h != nil {
			if *h < 0 || *h > 24 {
				return nil, errInvalidParam("Password policy PasswordHistorySize must be between 0 and 24.")
			}
			pp.HistorySize = h
		}
		p.Policy = pp
	}
	if in.AdminCreateUserConfig != nil && in.AdminCreateUserConfig.AllowAdminCreateUserOnly != nil {
		p.AdminCreateOnly = *in.AdminCreateUserConfig.AllowAdminCreateUserOnly
	}
	if in.AdminCreateUserConfig != nil {
		if err := checkInvite(in.AdminCreateUserConfig.InviteMessageTemplate); err != nil {
			return nil, err
		}
		p.Invite = in.AdminCreateUserConfig.InviteMessageTemplate
	}
	p.Settings = in.poolSettings
	if err := p.Settings.normalize(p.AutoVerifiedAttributes); err != nil {
		return nil, err
	}
	if d := in.DeviceConfiguration; d != nil {
		p.DeviceTracking = true
		p.DeviceChallengeNew = d.ChallengeRequiredOnNewDevice != nil && *d.ChallengeRequiredOnNewDevice
		p.DeviceOnPrompt = d.DeviceOnlyRememberedOnUserPrompt != nil && *d.DeviceOnlyRememberedOnUserPrompt
	}
	if in.UsernameConfiguration != nil && in.UsernameConfiguration.CaseSensitive != nil {
		p.CaseSensitive = *in.UsernameConfiguration.CaseSensitive
	}
	for _, n := range standardAttributes {
		p.Schema = append(p.Schema, standardAttribute(n))
	}
	for _, w := range in.Schema {
		if w.Name == "" {
			return nil, errInvalidParam("Schema attribute name is required.")
		}
		idx := -1
		for i, a := range p.Schema {
			if a.Name == w.Name {
				idx = i
			}
		}
		if idx < 0 {
			// A custom attribute, validated and stored as AddCustomAttributes
			// does (its String and Number constraints included).
			a, err := customAttribute(&w)
			if err != nil {
				return nil, err
			}
			p.Schema = append(p.Schema, a)
			continue
		}
		a := &p.Schema[idx]
		if w.Mutable != nil {
			a.Mutable = *w.Mutable
		}
		if w.Required != nil {
			a.Required = *w.Required
		}
		if w.DeveloperOnlyAttribute != nil {
			a.DeveloperOnly = *w.DeveloperOnlyAttribute
		}
		if c := w.StringAttributeConstraints; c != nil {
			a.MinLength, a.MaxLength = str(c.MinLength), str(c.MaxLength)
		}
		if c := w.NumberAttributeConstraints; c != nil {
			a.MinValue, a.MaxValue = str(c.MinValue), str(c.MaxValue)
		}
	}
	if err := applySignIn(p, in); err != nil {
		return nil, err
	}
	if err := checkThreatProtectionTier(p); err != nil {
		return nil, err
	}
	if err := in.LambdaConfig.validate(); err != nil {
		return nil, err
	}
	if !in.LambdaConfig.empty() {
		lc := *in.LambdaConfig
		p.Lambda = &lc
	}
	p.fillMaps()
	return p, nil
}

func stdType(n string) string {
	switch n {
	case "email_verified", "phone_number_verified":
		return "Boolean"
	case "updated_at":
		return "Number"
	}
	return "String"
}

func (p *pool) schemaAttr(name string) *schemaAttribute {
	for i := range p.Schema {
		if p.Schema[i].Name == name {
			return &p.Schema[i]
		}
	}
	return nil
}

func (p *pool) requiredAttrs() []string {
	var out []string
	for _, a := range p.Schema {
		if a.Required && a.Name != "sub" {
			out = append(out, a.Name)
		}
	}
	return out
}

type userPoolWire struct {
	Id                     string            `json:"Id"`
	Name                   string            `json:"Name"`
	Arn                    string            `json:"Arn"`
	CreationDate           *epoch            `json:"CreationDate"`
	LastModifiedDate       *epoch            `json:"LastModifiedDate"`
	Policies               any               `json:"Policies"`
	UsernameAttributes     []string          `json:"UsernameAttributes,omitempty"`
	AliasAttributes        []string          `json:"AliasAttributes,omitempty"`
	AutoVerifiedAttributes []string          `json:"AutoVerifiedAttributes,omitempty"`
	MfaConfiguration       string            `json:"MfaConfiguration"`
	SchemaAttributes       []any             `json:"SchemaAttributes"`
	EstimatedNumberOfUsers int               `json:"EstimatedNumberOfUsers"`
	AdminCreateUserConfig  any               `json:"AdminCreateUserConfig"`
	DeviceConfiguration    any               `json:"DeviceConfiguration,omitempty"`
	UsernameConfiguration  any               `json:"UsernameConfiguration"`
	DeletionProtection     string            `json:"DeletionProtection"`
	LambdaConfig           any               `json:"LambdaConfig"`
	UserPoolTags           map[string]string `json:"UserPoolTags,omitempty"`
	UserPoolTier           string            `json:"UserPoolTier,omitempty"`
	Domain                 string            `json:"Domain,omitempty"`
	CustomDomain           string            `json:"CustomDomain,omitempty"`
	poolSettings
}

func (s *Server) poolWire(p *pool) userPoolWire {
	pp := p.Policy
	ppw := map[string]any{
		"MinimumLength": pp.MinimumLength, "RequireUppercase": pp.RequireUppercase,
		"RequireLowercase": pp.RequireLowercase, "RequireNumbers": pp.RequireNumbers,
		"RequireSymbols": pp.RequireSymbols, "TemporaryPasswordValidityDays": pp.TemporaryPasswordValidityDays}
	if pp.HistorySize != nil {
		ppw["PasswordHistorySize"] = *pp.HistorySize
	}
	acu := map[string]any{"AllowAdminCreateUserOnly": p.AdminCreateOnly, "UnusedAccountValidityDays": pp.TemporaryPasswordValidityDays}
	if p.Invite != nil {
		acu["InviteMessageTemplate"] = p.Invite
	}
	w := userPoolWire{
		Id: p.ID, Name: p.Name, Arn: "arn:aws:cognito-idp:" + s.opts.Region + ":" + accountID + ":userpool/" + p.ID,
		CreationDate: ep(p.Created), LastModifiedDate: ep(p.Modified),
		Policies:           map[string]any{"PasswordPolicy": ppw},
		UsernameAttributes: p.UsernameAttributes, AliasAttributes: p.AliasAttributes,
		AutoVerifiedAttributes: p.AutoVerifiedAttributes, MfaConfiguration: p.MFA,
		EstimatedNumberOfUsers: len(p.Users),
		AdminCreateUserConfig:  acu,
		UsernameConfiguration:  map[string]any{"CaseSensitive": p.CaseSensitive},
		DeletionProtection:     p.DeletionProtection,
		UserPoolTags:           p.Tags,
		LambdaConfig:           p.Lambda.wire(),
		poolSettings:           p.Settings,
	}
	// A pool from an older state file gets the defaults it lacks (on a
	// copy: what is stored stays as it is).
	if t := w.VerificationMessageTemplate; t != nil {
		c := *t
		w.VerificationMessageTemplate = &c
	}
	_ = w.poolSettings.normalize(p.AutoVerifiedAttributes)
	if p.Domain != nil {
		w.Domain = p.Domain.Domain
	}
	if p.CustomDomain != nil {
		w.CustomDomain = p.CustomDomain.Domain
	}
	signInWire(p, &w)
	if p.DeviceTracking {
		w.DeviceConfiguration = map[string]any{"ChallengeRequiredOnNewDevice": p.DeviceChallengeNew, "DeviceOnlyRememberedOnUserPrompt": p.DeviceOnPrompt}
	}
	for _, a := range p.Schema {
		w.SchemaAttributes = append(w.SchemaAttributes, a.wire())
	}
	return w
}

// standardAttribute is a standard attribute as a new pool has it.
func standardAttribute(n string) schemaAttribute {
	return schemaAttribute{Name: n, Type: stdType(n), Mutable: n != "sub", Required: n == "sub"}
}

// wire is the attribute as DescribeUserPool's SchemaAttributes has it,
// with Cognito's constraints for the standard attributes: strings of 0 to
// 2048 characters, except sub (1 to 2048) and birthdate (exactly 10);
// updated_at a number from 0; booleans without constraints.
func (a schemaAttribute) wire() map[string]any {
	m := map[string]any{"Name": a.Name, "AttributeDataType": a.Type, "Mutable": a.Mutable, "Required": a.Required, "DeveloperOnlyAttribute": a.DeveloperOnly}
	switch a.Type {
	case "String":
		lo, hi := "0", "2048"
		switch a.Name {
		case "sub":
			lo = "1"
		case "birthdate":
			lo, hi = "10", "10"
		}
		m["StringAttributeConstraints"] = map[string]any{"MinLength": orDefault(a.MinLength, lo), "MaxLength": orDefault(a.MaxLength, hi)}
	case "Number":
		numberConstraintsWire(m, a)
	}
	return m
}

func (s *Server) pool(id string) (*pool, error) {
	if id == "" {
		return nil, required("userPoolId", "")
	}
	p, ok := s.st.Pools[id]
	if !ok {
		return nil, errorf("ResourceNotFoundException", "User pool %s does not exist.", id)
	}
	return p, nil
}

// poolInput is an operation input that names a user pool.
type poolInput interface{ poolID() string }

func (in *userInput) poolID() string   { return in.UserPoolId }
func (in *poolIDInput) poolID() string { return in.UserPoolId }
func (in *listInput) poolID() string   { return in.UserPoolId }
func (in *clientInput) poolID() string { return in.UserPoolId }
func (in *groupInput) poolID() string  { return in.UserPoolId }

// decodePool decodes c's input into in and finds the pool it names.
func (s *Server) decodePool(c *call, in poolInput) (*pool, error) {
	if err := c.decode(in); err != nil {
		return nil, err
	}
	return s.pool(in.poolID())
}

func opCreateUserPool(s *Server, c *call) (any, error) {
	var in createUserPoolInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	p, err := s.newPool(&in, c.now)
	if err != nil {
		return nil, err
	}
	s.st.Pools[p.ID] = p
	return map[string]any{"UserPool": s.poolWire(p)}, nil
}

type poolIDInput struct {
	UserPoolId string `json:"UserPoolId"`
}

func opDescribeUserPool(s *Server, c *call) (any, error) {
	var in poolIDInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPool": s.poolWire(p)}, nil
}

func opDeleteUserPool(s *Server, c *call) (any, error) {
	var in poolIDInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if p.DeletionProtection == "ACTIVE" {
		return nil, errInvalidParam("The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	delete(s.st.Pools, p.ID)
	return nil, nil
}

type listInput struct {
	UserPoolId string `json:"UserPoolId"`
	MaxResults int32  `json:"MaxResults"`
	Limit      int32  `json:"Limit"`
	NextToken  string `json:"NextToken"`
}

func opListUserPools(s *Server, c *call) (any, error) {
	var in listInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.MaxResults < 1 || in.MaxResults > 60 {
		return nil, errInvalidParam("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60", in.MaxResults)
	}
	ids := make([]string, 0, len(s.st.Pools))
	for id := range s.st.Pools {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return listPage(ids, in.MaxResults, in.NextToken, "UserPools", "NextToken", func(id string) any {
		p := s.st.Pools[id]
		return map[string]any{"Id": p.ID, "Name": p.Name, "LambdaConfig": p.Lambda.wire(),
			"CreationDate": ep(p.Created), "LastModifiedDate": ep(p.Modified)}
	})
}

// ---------------------------------------------------------------------------
// App clients.

var allAuthFlows = []string{"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH",
	"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH",
	"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"}

type clientInput struct {
	UserPoolId                      string            `json:"UserPoolId"`
	ClientId                        string            `json:"ClientId"`
	ClientName                      string            `json:"ClientName"`
	GenerateSecret                  bool              `json:"GenerateSecret"`
	ExplicitAuthFlows               []string          `json:"ExplicitAuthFlows"`
	AccessTokenValidity             *int64            `json:"AccessTokenValidity"`
	IdTokenValidity                 *int64            `json:"IdTokenValidity"`
	RefreshTokenValidity            *int64            `json:"RefreshTokenValidity"`
	TokenValidityUnits              tokenValidityUnit `json:"TokenValidityUnits"`
	ReadAttributes                  []string          `json:"ReadAttributes"`
	WriteAttributes                 []string          `json:"WriteAttributes"`
	CallbackURLs                    []string          `json:"CallbackURLs"`
	LogoutURLs                      []string          `json:"LogoutURLs"`
	DefaultRedirectURI              string            `json:"DefaultRedirectURI"`
	AllowedOAuthFlows               []string          `json:"AllowedOAuthFlows"`
	AllowedOAuthScopes              []string          `json:"AllowedOAuthScopes"`
	AllowedOAuthFlowsUserPoolClient bool              `json:"AllowedOAuthFlowsUserPoolClient"`
	SupportedIdentityProviders      []string          `json:"SupportedIdentityProviders"`
	PreventUserExistenceErrors      string            `json:"PreventUserExistenceErrors"`
	EnableTokenRevocation           *bool             `json:"EnableTokenRevocation"`
	AuthSessionValidity             *int64            `json:"AuthSessionValidity"`
	RefreshTokenRotation            *rotationWire     `json:"RefreshTokenRotation"`
	// Kept and returned as given (clientsettings.go).
	EnablePropagateAdditionalUserContextData *bool                   `json:"EnablePropagateAdditionalUserContextData"`
	AnalyticsConfiguration                   *analyticsConfiguration `json:"AnalyticsConfiguration"`
}

func unitSeconds(unit string, def string) (int64, bool) {
	if unit == "" {
		unit = def
	}
	switch unit {
	case "seconds":
		return 1, true
	case "minutes":
		return 60, true
	case "hours":
		return 3600, true
	case "days":
		return 86400, true
	}
	return 0, false
}

// applyClient validates in and writes it into cl (create or update).
func applyClient(p *pool, cl *client, in *clientInput) error {
	if in.ClientName == "" {
		return required("clientName", "")
	}
	for _, f := range in.ExplicitAuthFlows {
		if !contains(allAuthFlows, f) {
			return errInvalidParam("1 validation error detected: Value '[%s]' at 'explicitAuthFlows' failed to satisfy constraint: Member must satisfy enum value set: %v", f, allAuthFlows)
		}
	}
	u := in.TokenValidityUnits
	for _, x := range []string{u.AccessToken, u.IdToken, u.RefreshToken} {
		if _, ok := unitSeconds(x, "hours"); !ok {
			return errInvalidParam("Invalid token validity unit %q.", x)
		}
	}
	access, id, refresh := int64(60), int64(60), int64(30)
	units := tokenValidityUnit{AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days"}
	access, units.AccessToken = validityIn(in.AccessTokenValidity, u.AccessToken, "hours", access, units.AccessToken)
	id, units.IdToken = validityIn(in.IdTokenValidity, u.IdToken, "hours", id, units.IdToken)
	refresh, units.RefreshToken = validityIn(in.RefreshTokenValidity, u.RefreshToken, "days", refresh, units.RefreshToken)
	cl.Units = units
	cl.AccessValidity, cl.IDValidity, cl.RefreshValidity = access, id, refresh
	if d := cl.validity("access"); d < 5*time.Minute || d > 24*time.Hour {
		return errInvalidParam("Invalid range for token validity.")
	}
	if d := cl.validity("id"); d < 5*time.Minute || d > 24*time.Hour {
		return errInvalidParam("Invalid range for token validity.")
	}
	if d := cl.validity("refresh"); d < time.Hour || d > 3650*24*time.Hour {
		return errInvalidParam("Invalid range for token validity.")
	}
	for _, a := range append(append([]string{}, in.ReadAttributes...), in.WriteAttributes...) {
		if p.schemaAttr(a) == nil {
			return errInvalidParam("Invalid read or write attribute: %s", a)
		}
	}
	for _, f := range in.AllowedOAuthFlows {
		if f != "code" && f != "implicit" && f != "client_credentials" {
			return errInvalidParam("Invalid OAuth flow %q.", f)
		}
	}
	if len(in.AllowedOAuthFlows) > 0 && len(in.CallbackURLs) == 0 && !contains(in.AllowedOAuthFlows, "client_credentials") {
		return errInvalidParam("CallbackURLs must be provided when AllowedOAuthFlows are set.")
	}
	if in.DefaultRedirectURI != "" && !contains(in.CallbackURLs, in.DefaultRedirectURI) {
		return errInvalidParam("DefaultRedirectURI must be one of the CallbackURLs.")
	}
	pue := in.PreventUserExistenceErrors
	switch pue {
	case "":
		pue = "LEGACY"
	case "LEGACY", "ENABLED":
	default:
		return errInvalidParam("Invalid PreventUserExistenceErrors value %q.", pue)
	}
	cl.Name = in.ClientName
	cl.ExplicitAuthFlows = in.ExplicitAuthFlows
	if len(cl.ExplicitAuthFlows) == 0 {
		cl.ExplicitAuthFlows = []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
	}
	cl.ReadAttributes, cl.WriteAttributes = in.ReadAttributes, in.WriteAttributes
	cl.CallbackURLs, cl.LogoutURLs, cl.DefaultRedirectURI = in.CallbackURLs, in.LogoutURLs, in.DefaultRedirectURI
	cl.AllowedOAuthFlows, cl.AllowedOAuthScopes, cl.OAuthEnabled = in.AllowedOAuthFlows, in.AllowedOAuthScopes, in.AllowedOAuthFlowsUserPoolClient
	cl.SupportedIdPs = in.SupportedIdentityProviders
	cl.PreventUserExistence = pue
	cl.EnableTokenRevocation = in.EnableTokenRevocation == nil || *in.EnableTokenRevocation
	cl.AuthSessionValidity = 3
	if in.AuthSessionValidity != nil {
		if *in.AuthSessionValidity < 3 || *in.AuthSessionValidity > 15 {
			return errInvalidParam("AuthSessionValidity must be between 3 and 15 minutes.")
		}
		cl.AuthSessionValidity = *in.AuthSessionValidity
	}
	if err := applyClientSettings(cl, in); err != nil {
		return err
	}
	return applyRotation(p, cl, in)
}

// validityIn is a token lifetime and its unit from an app client's
// input: v in unit (default defUnit) when given; else the default lifetime
// (def in dUnit) expressed in the unit the input names, as Cognito keeps
// the unit it is given; else the default as it is.
func validityIn(v *int64, unit, defUnit string, def int64, dUnit string) (int64, string) {
	if v != nil {
		return *v, orDefault(unit, defUnit)
	}
	if unit == "" || unit == dUnit {
		return def, dUnit
	}
	secs, _ := unitSeconds(dUnit, "")
	per, ok := unitSeconds(unit, "")
	if !ok || def*secs%per != 0 {
		return def, dUnit
	}
	return def * secs / per, unit
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// validity returns the lifetime of a token kind ("access", "id", "refresh").
func (cl *client) validity(kind string) time.Duration {
	var v int64
	var unit string
	switch kind {
	case "access":
		v, unit = cl.AccessValidity, cl.Units.AccessToken
	case "id":
		v, unit = cl.IDValidity, cl.Units.IdToken
	default:
		v, unit = cl.RefreshValidity, cl.Units.RefreshToken
	}
	mult, _ := unitSeconds(unit, "hours")
	return time.Duration(v*mult) * time.Second
}

// flowAllowed reports whether the client permits an auth flow. An empty
// ExplicitAuthFlows list means Cognito's default (SRP, refresh, custom).
func (cl *client) flowAllowed(flow string) bool {
	f := cl.ExplicitAuthFlows
	if len(f) == 0 {
		f = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"}
	}
	switch flow {
	case "USER_SRP_AUTH":
		return contains(f, "ALLOW_USER_SRP_AUTH") || (!contains(f, "CUSTOM_AUTH_FLOW_ONLY") && !hasAllow(f))
	case "USER_PASSWORD_AUTH":
		return contains(f, "ALLOW_USER_PASSWORD_AUTH") || contains(f, "USER_PASSWORD_AUTH")
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		return contains(f, "ALLOW_ADMIN_USER_PASSWORD_AUTH") || contains(f, "ADMIN_NO_SRP_AUTH")
	case "CUSTOM_AUTH":
		return contains(f, "ALLOW_CUSTOM_AUTH") || contains(f, "CUSTOM_AUTH_FLOW_ONLY") || !hasAllow(f)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		return !cl.RotateRefresh && (contains(f, "ALLOW_REFRESH_TOKEN_AUTH") || !hasAllow(f))
	case "USER_AUTH":
		return contains(f, "ALLOW_USER_AUTH")
	}
	return false
}

func hasAllow(f []string) bool {
	for _, x := range f {
		if strings.HasPrefix(x, "ALLOW_") {
			return true
		}
	}
	return false
}

func (s *Server) clientWire(p *pool, cl *client) map[string]any {
	m := map[string]any{
		"UserPoolId": p.ID, "ClientName": cl.Name, "ClientId": cl.ID,
		"CreationDate": ep(cl.Created), "LastModifiedDate": ep(cl.Modified),
		"AccessTokenValidity": cl.AccessValidity, "IdTokenValidity": cl.IDValidity, "RefreshTokenValidity": cl.RefreshValidity,
		"TokenValidityUnits":              cl.Units,
		"ExplicitAuthFlows":               nonNil(cl.ExplicitAuthFlows),
		"AllowedOAuthFlowsUserPoolClient": cl.OAuthEnabled,
		"PreventUserExistenceErrors":      cl.PreventUserExistence,
		"EnableTokenRevocation":           cl.EnableTokenRevocation,
		"AuthSessionValidity":             cl.AuthSessionValidity,
	}
	if cl.Secret != "" {
		m["ClientSecret"] = cl.Secret
	}
	set := func(k string, v []string) {
		if len(v) > 0 {
			m[k] = v
		}
	}
	set("ReadAttributes", cl.ReadAttributes)
	set("WriteAttributes", cl.WriteAttributes)
	set("CallbackURLs", cl.CallbackURLs)
	set("LogoutURLs", cl.LogoutURLs)
	set("AllowedOAuthFlows", cl.AllowedOAuthFlows)
	set("AllowedOAuthScopes", cl.AllowedOAuthScopes)
	set("SupportedIdentityProviders", cl.SupportedIdPs)
	if cl.RotateRefresh {
		m["RefreshTokenRotation"] = map[string]any{"Feature": "ENABLED", "RetryGracePeriodSeconds": cl.RotateGrace}
	}
	if cl.DefaultRedirectURI != "" {
		m["DefaultRedirectURI"] = cl.DefaultRedirectURI
	}
	clientSettingsWire(cl, m)
	return m
}

func (s *Server) newClientID() string {
	return s.randString(26, "abcdefghijklmnopqrstuvwxyz0123456789")
}

func opCreateUserPoolClient(s *Server, c *call) (any, error) {
	var in clientInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	cl, err := s.addClient(p, &in, "", "", c.now)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": s.clientWire(p, cl)}, nil
}

// addClient creates a client; id and secret may be fixed (config seeding).
func (s *Server) addClient(p *pool, in *clientInput, id, secret string, now time.Time) (*client, error) {
	cl := &client{Created: now, Modified: now}
	if err := applyClient(p, cl, in); err != nil {
		return nil, err
	}
	if id == "" {
		id = s.newClientID()
	}
	if _, dup := p.Clients[id]; dup {
		return nil, errInvalidParam("client ID %s already exists in pool %s", id, p.ID)
	}
	cl.ID = id
	if secret == "" && in.GenerateSecret {
		secret = s.randString(51, "abcdefghijklmnopqrstuvwxyz0123456789")
	}
	cl.Secret = secret
	p.Clients[cl.ID] = cl
	return cl, nil
}

func (s *Server) client(p *pool, id string) (*client, error) {
	if id == "" {
		return nil, required("clientId", "")
	}
	cl, ok := p.Clients[id]
	if !ok {
		return nil, errorf("ResourceNotFoundException", "User pool client %s does not exist.", id)
	}
	return cl, nil
}

// clientByID finds a client in any pool (the unauthenticated operations
// name only the ClientId).
func (s *Server) clientByID(id string) (*pool, *client, error) {
	if id == "" {
		return nil, nil, required("clientId", "")
	}
	for _, p := range s.st.Pools {
		if cl, ok := p.Clients[id]; ok {
			return p, cl, nil
		}
	}
	return nil, nil, errorf("ResourceNotFoundException", "User pool client %s does not exist.", id)
}

// clientIn finds a pool and one of its app clients, the pool first.
func (s *Server) clientIn(poolID, clientID string) (*pool, *client, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return nil, nil, err
	}
	cl, err := s.client(p, clientID)
	if err != nil {
		return nil, nil, err
	}
	return p, cl, nil
}

// poolClient decodes an input naming a pool and one of its app clients,
// and finds both.
func (s *Server) poolClient(c *call, in *clientInput) (*pool, *client, error) {
	if err := c.decode(in); err != nil {
		return nil, nil, err
	}
	return s.clientIn(in.UserPoolId, in.ClientId)
}

func opDescribeUserPoolClient(s *Server, c *call) (any, error) {
	var in clientInput
	p, cl, err := s.poolClient(c, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": s.clientWire(p, cl)}, nil
}

func opUpdateUserPoolClient(s *Server, c *call) (any, error) {
	var in clientInput
	p, cl, err := s.poolClient(c, &in)
	if err != nil {
		return nil, err
	}
	if in.ClientName == "" {
		in.ClientName = cl.Name
	}
	upd := *cl
	if err := applyClient(p, &upd, &in); err != nil {
		return nil, err
	}
	upd.Modified = c.now
	*cl = upd
	return map[string]any{"UserPoolClient": s.clientWire(p, cl)}, nil
}

func opDeleteUserPoolClient(s *Server, c *call) (any, error) {
	var in clientInput
	p, _, err := s.poolClient(c, &in)
	if err != nil {
		return nil, err
	}
	delete(p.Clients, in.ClientId)
	return nil, nil
}

func opListUserPoolClients(s *Server, c *call) (any, error) {
	var in listInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(p.Clients))
	for id := range p.Clients {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return listPage(ids, in.MaxResults, in.NextToken, "UserPoolClients", "NextToken", func(id string) any {
		return map[string]any{"ClientId": id, "UserPoolId": p.ID, "ClientName": p.Clients[id].Name}
	})
}

// ---------------------------------------------------------------------------
// Groups.

type groupInput struct {
	UserPoolId  string  `json:"UserPoolId"`
	GroupName   string  `json:"GroupName"`
	Description *string `json:"Description"`
	RoleArn     *string `json:"RoleArn"`
	Precedence  *int64  `json:"Precedence"`
	Limit       int32   `json:"Limit"`
	NextToken   string  `json:"NextToken"`
}

func groupWire(p *pool, g *group) map[string]any {
	m := map[string]any{"GroupName": g.Name, "UserPoolId": p.ID, "CreationDate": ep(g.Created), "LastModifiedDate": ep(g.Modified)}
	if g.Description != "" {
		m["Description"] = g.Description
	}
	if g.RoleArn != "" {
		m["RoleArn"] = g.RoleArn
	}
	if g.Precedence != nil {
		m["Precedence"] = *g.Precedence
	}
	return m
}

func opCreateGroup(s *Server, c *call) (any, error) {
	var in groupInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	g, err := addGroup(p, &in, c.now)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": groupWire(p, g)}, nil
}

func addGroup(p *pool, in *groupInput, now time.Time) (*group, error) {
	if in.GroupName == "" {
		return nil, required("groupName", "")
	}
	if _, dup := p.Groups[in.GroupName]; dup {
		return nil, errorf("GroupExistsException", "A group with the name %s already exists.", in.GroupName)
	}
	if in.Precedence != nil && *in.Precedence < 0 {
		return nil, errInvalidParam("Precedence must be non-negative.")
	}
	g := &group{Name: in.GroupName, Description: str(in.Description), RoleArn: str(in.RoleArn), Precedence: in.Precedence, Created: now, Modified: now}
	p.Groups[g.Name] = g
	return g, nil
}

func (p *pool) group(name string) (*group, error) {
	if name == "" {
		return nil, required("groupName", "")
	}
	g, ok := p.Groups[name]
	if !ok {
		return nil, errorf("ResourceNotFoundException", "Group not found.")
	}
	return g, nil
}

// poolGroup decodes an input naming a pool and one of its groups, and
// finds both.
func (s *Server) poolGroup(c *call, in *groupInput) (*pool, *group, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, nil, err
	}
	g, err := p.group(in.GroupName)
	if err != nil {
		return nil, nil, err
	}
	return p, g, nil
}

func opGetGroup(s *Server, c *call) (any, error) {
	var in groupInput
	p, g, err := s.poolGroup(c, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Group": groupWire(p, g)}, nil
}

func opDeleteGroup(s *Server, c *call) (any, error) {
	var in groupInput
	p, _, err := s.poolGroup(c, &in)
	if err != nil {
		return nil, err
	}
	delete(p.Groups, in.GroupName)
	for k, u := range p.Users {
		if contains(u.Groups, in.GroupName) {
			p.touchUser(k)
			u.Groups = removeStr(u.Groups, in.GroupName)
		}
	}
	return nil, nil
}

func removeStr(l []string, v string) []string {
	out := l[:0]
	for _, x := range l {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// sortedGroups returns group names by precedence, then name.
func (p *pool) sortedGroups(names []string) []*group {
	gs := make([]*group, 0, len(names))
	for _, n := range names {
		if g, ok := p.Groups[n]; ok {
			gs = append(gs, g)
		}
	}
	sort.SliceStable(gs, func(i, j int) bool {
		pi, pj := gs[i].Precedence, gs[j].Precedence
		switch {
		case pi != nil && pj != nil && *pi != *pj:
			return *pi < *pj
		case pi != nil && pj == nil:
			return true
		case pi == nil && pj != nil:
			return false
		}
		return gs[i].Name < gs[j].Name
	})
	return gs
}

func opListGroups(s *Server, c *call) (any, error) {
	var in groupInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(p.Groups))
	for n := range p.Groups {
		names = append(names, n)
	}
	sort.Strings(names)
	return listPage(names, in.Limit, in.NextToken, "Groups", "NextToken",
		func(n string) any { return groupWire(p, p.Groups[n]) })
}
