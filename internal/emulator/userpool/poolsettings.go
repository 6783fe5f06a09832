package userpool

import (
	"slices"
	"strings"
)

// The user-pool settings CreateUserPool and UpdateUserPool take and
// DescribeUserPool returns as given, in Cognito's wire form: messages,
// e-mail and SMS configuration, attribute-update and account-recovery
// settings, add-ons. poolSettings is decoded from the request, checked and
// completed with Cognito's defaults (normalize), kept on the pool and
// encoded into the DescribeUserPool answer, all with the same field names.
type poolSettings struct {
	VerificationMessageTemplate *verificationMessageTemplate `json:"VerificationMessageTemplate,omitempty"`
	SmsVerificationMessage      *string                      `json:"SmsVerificationMessage,omitempty"`
	EmailVerificationMessage    *string                      `json:"EmailVerificationMessage,omitempty"`
	EmailVerificationSubject    *string                      `json:"EmailVerificationSubject,omitempty"`
	SmsAuthenticationMessage    *string                      `json:"SmsAuthenticationMessage,omitempty"`
	EmailConfiguration          *emailConfiguration          `json:"EmailConfiguration,omitempty"`
	SmsConfiguration            *smsConfiguration            `json:"SmsConfiguration,omitempty"`
	UserAttributeUpdateSettings *userAttributeUpdateSettings `json:"UserAttributeUpdateSettings,omitempty"`
	AccountRecoverySetting      *accountRecoverySetting      `json:"AccountRecoverySetting,omitempty"`
	UserPoolAddOns              *userPoolAddOns              `json:"UserPoolAddOns,omitempty"`
}

type verificationMessageTemplate struct {
	SmsMessage         *string `json:"SmsMessage,omitempty"`
	EmailMessage       *string `json:"EmailMessage,omitempty"`
	EmailSubject       *string `json:"EmailSubject,omitempty"`
	EmailMessageByLink *string `json:"EmailMessageByLink,omitempty"`
	EmailSubjectByLink *string `json:"EmailSubjectByLink,omitempty"`
	DefaultEmailOption string  `json:"DefaultEmailOption,omitempty"`
}

type emailConfiguration struct {
	SourceArn           *string `json:"SourceArn,omitempty"`
	ReplyToEmailAddress *string `json:"ReplyToEmailAddress,omitempty"`
	EmailSendingAccount string  `json:"EmailSendingAccount,omitempty"`
	From                *string `json:"From,omitempty"`
	ConfigurationSet    *string `json:"ConfigurationSet,omitempty"`
}

type smsConfiguration struct {
	SnsCallerArn string  `json:"SnsCallerArn"`
	ExternalId   *string `json:"ExternalId,omitempty"`
	SnsRegion    *string `json:"SnsRegion,omitempty"`
}

type userAttributeUpdateSettings struct {
	AttributesRequireVerificationBeforeUpdate []string `json:"AttributesRequireVerificationBeforeUpdate"`
}

type accountRecoverySetting struct {
	RecoveryMechanisms []recoveryOption `json:"RecoveryMechanisms"`
}

type recoveryOption struct {
	Priority int    `json:"Priority"`
	Name     string `json:"Name"`
}

type userPoolAddOns struct {
	AdvancedSecurityMode            string `json:"AdvancedSecurityMode"`
	AdvancedSecurityAdditionalFlows *struct {
		CustomAuthMode string `json:"CustomAuthMode,omitempty"`
	} `json:"AdvancedSecurityAdditionalFlows,omitempty"`
}

// messageTemplate is AdminCreateUserConfig's InviteMessageTemplate.
type messageTemplate struct {
	SMSMessage   *string `json:"SMSMessage,omitempty"`
	EmailMessage *string `json:"EmailMessage,omitempty"`
	EmailSubject *string `json:"EmailSubject,omitempty"`
}

// codePlaceholder is what a verification or MFA message must contain.
const codePlaceholder = "{####}"

// normalize checks st as CreateUserPool or UpdateUserPool received it and
// fills Cognito's defaults; autoVerified are the pool's auto-verified
// attributes.
func (st *poolSettings) normalize(autoVerified []string) error {
	t := st.VerificationMessageTemplate
	if t == nil {
		t = &verificationMessageTemplate{}
		st.VerificationMessageTemplate = t
	}
	switch t.DefaultEmailOption {
	case "":
		t.DefaultEmailOption = "CONFIRM_WITH_CODE"
	case "CONFIRM_WITH_CODE", "CONFIRM_WITH_LINK":
	default:
		return errInvalidParam("1 validation error detected: Value '%s' at 'verificationMessageTemplate.defaultEmailOption' failed to satisfy constraint: Member must satisfy enum value set: [CONFIRM_WITH_LINK, CONFIRM_WITH_CODE]", t.DefaultEmailOption)
	}
	// The template and the older flat fields are one setting: each fills
	// the other, and they must agree when both are given.
	for _, pair := range []struct {
		name       string
		tmpl, flat **string
	}{
		{"SmsMessage", &t.SmsMessage, &st.SmsVerificationMessage},
		{"EmailMessage", &t.EmailMessage, &st.EmailVerificationMessage},
		{"EmailSubject", &t.EmailSubject, &st.EmailVerificationSubject},
	} {
		switch {
		case *pair.tmpl == nil:
			*pair.tmpl = *pair.flat
		case *pair.flat == nil:
			*pair.flat = *pair.tmpl
		case **pair.tmpl != **pair.flat:
			return errInvalidParam("VerificationMessageTemplate.%s and the corresponding verification message field differ.", pair.name)
		}
	}
	for _, m := range []struct {
		name string
		v    *string
	}{{"SmsVerificationMessage", t.SmsMessage}, {"EmailVerificationMessage", t.EmailMessage}, {"SmsAuthenticationMessage", st.SmsAuthenticationMessage}} {
		if m.v != nil && !strings.Contains(*m.v, codePlaceholder) {
			return errInvalidParam("%s must contain the code placeholder %s.", m.name, codePlaceholder)
		}
	}
	if v := t.EmailMessageByLink; v != nil && !strings.Contains(*v, "{##") {
		return errInvalidParam("EmailMessageByLink must contain a link placeholder {##Click here##}.")
	}
	if t.DefaultEmailOption == "CONFIRM_WITH_LINK" && t.EmailMessageByLink == nil {
		def := "Please click the link below to verify your email address. {##Verify Email##} "
		t.EmailMessageByLink = &def
	}
	if t.DefaultEmailOption == "CONFIRM_WITH_LINK" && t.EmailSubjectByLink == nil {
		def := "Your verification link"
		t.EmailSubjectByLink = &def
	}
	if err := st.normalizeEmail(); err != nil {
		return err
	}
	if c := st.SmsConfiguration; c != nil && !strings.HasPrefix(c.SnsCallerArn, "arn:") {
		return errInvalidParam("SmsConfiguration.SnsCallerArn must be the ARN of an IAM role.")
	}
	if st.UserAttributeUpdateSettings == nil {
		st.UserAttributeUpdateSettings = &userAttributeUpdateSettings{}
	}
	u := st.UserAttributeUpdateSettings
	if u.AttributesRequireVerificationBeforeUpdate == nil {
		u.AttributesRequireVerificationBeforeUpdate = []string{}
	}
	for _, a := range u.AttributesRequireVerificationBeforeUpdate {
		if a != "email" && a != "phone_number" {
			return errInvalidParam("Invalid AttributesRequireVerificationBeforeUpdate value %q: only email and phone_number are allowed.", a)
		}
		if !slices.Contains(autoVerified, a) {
			return errInvalidParam("Attributes in AttributesRequireVerificationBeforeUpdate must be auto-verified: %s is not.", a)
		}
	}
	if err := st.AccountRecoverySetting.check(); err != nil {
		return err
	}
	if a := st.UserPoolAddOns; a != nil {
		switch a.AdvancedSecurityMode {
		case "OFF", "AUDIT", "ENFORCED":
		default:
			return errInvalidParam("1 validation error detected: Value '%s' at 'userPoolAddOns.advancedSecurityMode' failed to satisfy constraint: Member must satisfy enum value set: [AUDIT, ENFORCED, OFF]", a.AdvancedSecurityMode)
		}
	}
	return nil
}

// normalizeEmail checks EmailConfiguration and fills its default
// (Cognito's own sender).
func (st *poolSettings) normalizeEmail() error {
	if st.EmailConfiguration == nil {
		st.EmailConfiguration = &emailConfiguration{}
	}
	e := st.EmailConfiguration
	switch e.EmailSendingAccount {
	case "":
		e.EmailSendingAccount = "COGNITO_DEFAULT"
	case "COGNITO_DEFAULT":
	case "DEVELOPER":
		if e.SourceArn == nil || *e.SourceArn == "" {
			return errInvalidParam("EmailConfiguration.SourceArn is required when EmailSendingAccount is DEVELOPER.")
		}
	default:
		return errInvalidParam("1 validation error detected: Value '%s' at 'emailConfiguration.emailSendingAccount' failed to satisfy constraint: Member must satisfy enum value set: [COGNITO_DEFAULT, DEVELOPER]", e.EmailSendingAccount)
	}
	if e.SourceArn != nil && !strings.HasPrefix(*e.SourceArn, "arn:") {
		return errInvalidParam("EmailConfiguration.SourceArn must be the ARN of an SES identity.")
	}
	return nil
}

// check validates an AccountRecoverySetting (nil is Cognito's legacy
// behaviour and valid).
func (a *accountRecoverySetting) check() error {
	if a == nil {
		return nil
	}
	n := len(a.RecoveryMechanisms)
	if n < 1 || n > 2 {
		return errInvalidParam("AccountRecoverySetting must have one or two recovery mechanisms.")
	}
	seenName, seenPrio := map[string]bool{}, map[int]bool{}
	for _, m := range a.RecoveryMechanisms {
		switch m.Name {
		case "verified_email", "verified_phone_number":
		case "admin_only":
			if n > 1 {
				return errInvalidParam("admin_only cannot be combined with another recovery mechanism.")
			}
		default:
			return errInvalidParam("Invalid recovery mechanism %q.", m.Name)
		}
		if m.Priority < 1 || m.Priority > 2 {
			return errInvalidParam("Recovery mechanism priority must be 1 or 2.")
		}
		if seenName[m.Name] || seenPrio[m.Priority] {
			return errInvalidParam("Recovery mechanisms must have distinct names and priorities.")
		}
		seenName[m.Name], seenPrio[m.Priority] = true, true
	}
	return nil
}

// checkInvite validates AdminCreateUserConfig's invitation template.
func checkInvite(t *messageTemplate) error {
	if t == nil {
		return nil
	}
	for _, m := range []*string{t.SMSMessage, t.EmailMessage} {
		if m != nil && (!strings.Contains(*m, "{username}") || !strings.Contains(*m, codePlaceholder)) {
			return errInvalidParam("The invitation message must contain the {username} and %s placeholders.", codePlaceholder)
		}
	}
	return nil
}

// verificationBody is the text of a verification code sent to attr: the
// pool's message with the code in place of {####}, or def followed by the
// code when the pool has none.
func (p *pool) verificationBody(attr, def, code string) string {
	var m *string
	if t := p.Settings.VerificationMessageTemplate; t != nil {
		m = t.EmailMessage
		if attr == "phone_number" {
			m = t.SmsMessage
		}
	}
	if m == nil {
		return def + code
	}
	return strings.ReplaceAll(*m, codePlaceholder, code)
}

// recoveryAttr picks where u's forgot-password code goes: the first
// mechanism of the pool's AccountRecoverySetting, by priority, that u has
// verified ("" for none, and always for admin_only); without a setting, a
// verified e-mail, else a verified phone.
func (p *pool) recoveryAttr(u *user) string {
	a := p.Settings.AccountRecoverySetting
	if a == nil {
		return recoveryTarget(u)
	}
	ms := slices.Clone(a.RecoveryMechanisms)
	slices.SortFunc(ms, func(x, y recoveryOption) int { return x.Priority - y.Priority })
	for _, m := range ms {
		attr, ok := strings.CutPrefix(m.Name, "verified_")
		if ok && u.Attrs[attr] != "" && u.Attrs[attr+"_verified"] == "true" {
			return attr
		}
	}
	return ""
}
