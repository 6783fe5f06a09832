package userpool

import "time"

// DeleteUserAttributes and AdminDeleteUserAttributes; SetUserSettings and
// AdminSetUserSettings, Cognito's legacy SMS MFA setting.
//
// The legacy MFAOptions are a view of the user's SMS MFA: setting
// [{DeliveryMedium: SMS, AttributeName: phone_number}] turns SMS MFA on
// (as SetUserMFAPreference's SMSMfaSettings.Enabled does), an empty list
// turns it off, and GetUser and AdminGetUser answer MFAOptions while SMS
// MFA is on, however it was turned on.

// deleteAttributes removes the named attributes from u, all or none: an
// unknown attribute, sub, a required or an immutable one is refused, and
// a self-service caller (admin false, through app client cl) may not
// delete developer-only or verification attributes nor attributes cl may
// not write. Deleting email or phone_number deletes its _verified flag.
func deleteAttributes(p *pool, u *user, names []string, cl *client, admin bool, now time.Time) error {
	for _, n := range names {
		sa := p.schemaAttr(n)
		if n == "sub" || sa == nil {
			return errInvalidParam("Invalid attribute name %s", n)
		}
		if sa.Required {
			return errInvalidParam("Attributes did not conform to the schema: %s: The attribute %s is required", n, n)
		}
		if !sa.Mutable {
			return errInvalidParam("Attributes did not conform to the schema: %s: Attribute cannot be updated. (changing an immutable attribute)", n)
		}
		if !admin && (sa.DeveloperOnly || n == "email_verified" || n == "phone_number_verified") {
			return errInvalidParam("Attributes did not conform to the schema: %s: Attribute cannot be updated.", n)
		}
	}
	if !admin && cl != nil {
		set := map[string]string{}
		for _, n := range names {
			set[n] = ""
		}
		if err := checkWritable(cl, set); err != nil {
			return err
		}
	}
	for _, n := range names {
		delete(u.Attrs, n)
		if n == "email" || n == "phone_number" {
			delete(u.Attrs, n+"_verified")
		}
		if n == "phone_number" {
			u.SMSEnabled = false // nothing left to send a code to
			if u.PreferredMFA == "SMS_MFA" {
				u.PreferredMFA = ""
			}
		}
	}
	u.Modified = now
	return nil
}

func opDeleteUserAttributes(s *Server, c *call) (any, error) {
	var in userInput
	p, u, claims, err := s.accessUser(c, &in)
	if err != nil {
		return nil, err
	}
	if err := deleteAttributes(p, u, in.UserAttributeNames, p.Clients[claims.ClientID], false, c.now); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

type mfaOptionWire struct {
	DeliveryMedium string `json:"DeliveryMedium,omitempty"`
	AttributeName  string `json:"AttributeName,omitempty"`
}

type settingsInput struct {
	AccessToken string          `json:"AccessToken"`
	UserPoolId  string          `json:"UserPoolId"`
	Username    string          `json:"Username"`
	MFAOptions  []mfaOptionWire `json:"MFAOptions"`
}

func (in *settingsInput) poolID() string { return in.UserPoolId }
func (in *settingsInput) subject() (accessToken, username string) {
	return in.AccessToken, in.Username
}

// legacyMFAOptions is the MFAOptions of GetUser and AdminGetUser: SMS to
// the phone number while SMS MFA is on, else nil.
func legacyMFAOptions(u *user) []mfaOptionWire {
	if !u.SMSEnabled {
		return nil
	}
	return []mfaOptionWire{{DeliveryMedium: "SMS", AttributeName: "phone_number"}}
}

func (s *Server) setUserSettings(c *call, admin bool) (any, error) {
	var in settingsInput
	_, u, err := s.subjectUser(c, &in, admin)
	if err != nil {
		return nil, err
	}
	if in.MFAOptions == nil {
		return nil, required("mFAOptions", "")
	}
	for _, o := range in.MFAOptions {
		if o.DeliveryMedium != "SMS" {
			return nil, errInvalidParam("Only SMS can be set as the delivery medium of MFAOptions; use SetUserMFAPreference for other MFA methods.")
		}
		if o.AttributeName != "phone_number" {
			return nil, errInvalidParam("Invalid attribute name %q in MFAOptions: only phone_number is allowed.", o.AttributeName)
		}
	}
	on := len(in.MFAOptions) > 0
	if on && u.Attrs["phone_number"] == "" {
		return nil, errInvalidParam("User does not have a phone number.")
	}
	u.SMSEnabled = on
	if !on && u.PreferredMFA == "SMS_MFA" {
		u.PreferredMFA = ""
	}
	return map[string]any{}, nil
}

func opSetUserSettings(s *Server, c *call) (any, error)      { return s.setUserSettings(c, false) }
func opAdminSetUserSettings(s *Server, c *call) (any, error) { return s.setUserSettings(c, true) }

func init() {
	registerTarget(idpTarget, map[string]op{
		"DeleteUserAttributes": {fn: opDeleteUserAttributes, public: true},
		"SetUserSettings":      {fn: opSetUserSettings, public: true},
		"AdminSetUserSettings": {fn: opAdminSetUserSettings},
	})
}
