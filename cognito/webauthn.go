package cognito

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	smithydocument "github.com/aws/smithy-go/document"
)

// Passkeys (WebAuthn) in a user pool.
//
// This package is not an authenticator: a passkey lives in a browser, a
// phone or a security key, and only it can create a credential or sign an
// assertion. The Client carries JSON between Cognito and whatever holds the
// passkey, and checks its shape on the way; Cognito verifies it.
//
// Registering a passkey (the user is signed in; accessToken is theirs):
//
//  1. opts, err := c.StartPasskeyRegistration(ctx, accessToken) — Cognito's
//     PublicKeyCredentialCreationOptionsJSON (opts.JSON()).
//  2. Hand opts.JSON() to the authenticator. In a web app, send it to the
//     page, which calls
//     navigator.credentials.create({publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(opts)})
//     and posts back JSON.stringify(credential) (the credential's toJSON(),
//     a RegistrationResponseJSON).
//  3. c.CompletePasskeyRegistration(ctx, accessToken, thatJSON).
//
// Signing in with a passkey (FlowUserAuth, factor FactorWebAuthn): the
// WEB_AUTHN challenge carries CredentialRequestOptions; the page calls
// navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(opts)})
// and the app answers with Challenge.AnswerWebAuthn(ctx, JSON.stringify(assertion)).
//
// The relying-party ID in the options is the pool's (its custom domain, or
// the one set in its WebAuthnConfiguration): the page must be served from
// that domain or a subdomain, or the browser refuses.

// CredentialCreationOptions are the options of a passkey registration
// (WebAuthn Level 3 PublicKeyCredentialCreationOptionsJSON) as Cognito
// issued them. The fields are read from the JSON for display and checks;
// JSON returns the exact bytes to hand to the authenticator, and
// MarshalJSON writes them unchanged.
type CredentialCreationOptions struct {
	// Challenge is the base64url challenge the authenticator signs.
	Challenge string
	// RelyingPartyID and RelyingPartyName are rp.id and rp.name.
	RelyingPartyID, RelyingPartyName string
	// UserID (base64url), UserName and UserDisplayName describe the user.
	UserID, UserName, UserDisplayName string
	// Timeout is how long the authenticator may take (0: unstated).
	Timeout time.Duration

	raw json.RawMessage
}

// JSON returns the options as Cognito sent them (a copy).
func (o *CredentialCreationOptions) JSON() json.RawMessage { return bytes.Clone(o.raw) }

// MarshalJSON writes the options as Cognito sent them.
func (o *CredentialCreationOptions) MarshalJSON() ([]byte, error) { return o.JSON(), nil }

// String describes the options without the challenge.
func (o *CredentialCreationOptions) String() string {
	return fmt.Sprintf("cognito.CredentialCreationOptions{RelyingPartyID: %q, UserName: %q}", o.RelyingPartyID, o.UserName)
}

// ParseCredentialCreationOptions reads PublicKeyCredentialCreationOptionsJSON,
// requiring challenge, rp, user and pubKeyCredParams. Anything else is an
// error wrapping ErrInvalidResponse.
func ParseCredentialCreationOptions(b []byte) (*CredentialCreationOptions, error) {
	var v struct {
		Challenge string `json:"challenge"`
		RP        *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"rp"`
		User *struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			DisplayName string `json:"displayName"`
		} `json:"user"`
		PubKeyCredParams []json.RawMessage `json:"pubKeyCredParams"`
		Timeout          float64           `json:"timeout"`
	}
	raw, err := compactObject(b, &v)
	if err != nil {
		return nil, fmt.Errorf("%w: credential creation options: %w", ErrInvalidResponse, err)
	}
	switch {
	case v.Challenge == "":
		err = errors.New("no challenge")
	case v.RP == nil:
		err = errors.New("no rp")
	case v.User == nil || v.User.ID == "":
		err = errors.New("no user.id")
	case len(v.PubKeyCredParams) == 0:
		err = errors.New("no pubKeyCredParams")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: credential creation options: %w", ErrInvalidResponse, err)
	}
	return &CredentialCreationOptions{
		Challenge: v.Challenge, RelyingPartyID: v.RP.ID, RelyingPartyName: v.RP.Name,
		UserID: v.User.ID, UserName: v.User.Name, UserDisplayName: v.User.DisplayName,
		Timeout: time.Duration(v.Timeout) * time.Millisecond, raw: raw,
	}, nil
}

// CredentialRequestOptions are the options of a passkey sign-in (WebAuthn
// Level 3 PublicKeyCredentialRequestOptionsJSON) from a WEB_AUTHN
// challenge, with the same conventions as CredentialCreationOptions.
type CredentialRequestOptions struct {
	// Challenge is the base64url challenge the authenticator signs.
	Challenge string
	// RelyingPartyID is rpId.
	RelyingPartyID string
	// AllowCredentials are the base64url IDs of the user's passkeys
	// (empty: any discoverable credential).
	AllowCredentials []string
	// UserVerification is "required", "preferred" or "discouraged".
	UserVerification string
	// Timeout is how long the authenticator may take (0: unstated).
	Timeout time.Duration

	raw json.RawMessage
}

// JSON returns the options as Cognito sent them (a copy).
func (o *CredentialRequestOptions) JSON() json.RawMessage { return bytes.Clone(o.raw) }

// MarshalJSON writes the options as Cognito sent them.
func (o *CredentialRequestOptions) MarshalJSON() ([]byte, error) { return o.JSON(), nil }

// String describes the options without the challenge.
func (o *CredentialRequestOptions) String() string {
	return fmt.Sprintf("cognito.CredentialRequestOptions{RelyingPartyID: %q, AllowCredentials: %d}", o.RelyingPartyID, len(o.AllowCredentials))
}

// ParseCredentialRequestOptions reads PublicKeyCredentialRequestOptionsJSON,
// requiring a challenge. Anything else is an error wrapping
// ErrInvalidResponse.
func ParseCredentialRequestOptions(b []byte) (*CredentialRequestOptions, error) {
	var v struct {
		Challenge        string `json:"challenge"`
		RPID             string `json:"rpId"`
		AllowCredentials []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
		UserVerification string  `json:"userVerification"`
		Timeout          float64 `json:"timeout"`
	}
	raw, err := compactObject(b, &v)
	if err == nil && v.Challenge == "" {
		err = errors.New("no challenge")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: credential request options: %w", ErrInvalidResponse, err)
	}
	o := &CredentialRequestOptions{Challenge: v.Challenge, RelyingPartyID: v.RPID, UserVerification: v.UserVerification,
		Timeout: time.Duration(v.Timeout) * time.Millisecond, raw: raw}
	for _, c := range v.AllowCredentials {
		o.AllowCredentials = append(o.AllowCredentials, c.ID)
	}
	return o, nil
}

// compactObject decodes b, which must be one JSON object, into v and
// returns it compacted.
func compactObject(b []byte, v any) (json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("not a JSON object")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// checkCredential checks that b is a PublicKeyCredential in JSON form
// (RegistrationResponseJSON or AuthenticationResponseJSON): an object with
// id, rawId, type "public-key" and a response object holding the named
// fields. It returns b compacted; errors wrap ErrInvalidParameter.
func checkCredential(op string, b []byte, responseFields ...string) (json.RawMessage, error) {
	var v struct {
		ID       string                     `json:"id"`
		RawID    string                     `json:"rawId"`
		Type     string                     `json:"type"`
		Response map[string]json.RawMessage `json:"response"`
	}
	raw, err := compactObject(b, &v)
	switch {
	case err != nil:
	case v.ID == "" || v.RawID == "":
		err = errors.New("no id or rawId")
	case v.Type != "public-key":
		err = fmt.Errorf("type is %q, not \"public-key\"", v.Type)
	case v.Response == nil:
		err = errors.New("no response object")
	default:
		for _, f := range responseFields {
			var s string
			if json.Unmarshal(v.Response[f], &s) != nil || s == "" {
				err = fmt.Errorf("no response.%s", f)
				break
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cognito: %s: %w: passkey credential: %w", op, ErrInvalidParameter, err)
	}
	return raw, nil
}

// jsonDocument turns JSON into a document for the SDK, keeping numbers
// exact.
func jsonDocument(b []byte) (document.Interface, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return document.NewLazyDocument(documentValue(v)), nil
}

func documentValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		return smithydocument.Number(v)
	case map[string]any:
		for k, e := range v {
			v[k] = documentValue(e)
		}
	case []any:
		for i, e := range v {
			v[i] = documentValue(e)
		}
	}
	return v
}

// documentJSON is the JSON of a document from the SDK.
func documentJSON(d document.Interface) ([]byte, error) {
	if d == nil {
		return nil, errors.New("missing")
	}
	return d.MarshalSmithyDocument()
}

// StartPasskeyRegistration starts registering a passkey for the signed-in
// user (StartWebAuthnRegistration) and returns the options to hand to the
// authenticator (see the round trip above). The pool must have passkeys
// enabled and a relying-party ID; Cognito says otherwise with
// WebAuthnNotEnabledException or WebAuthnConfigurationMissingException
// (ErrWebAuthnNotEnabled, ErrWebAuthnConfigurationMissing).
func (c *Client) StartPasskeyRegistration(ctx context.Context, accessToken string) (*CredentialCreationOptions, error) {
	if accessToken == "" {
		return nil, fmt.Errorf("cognito: StartWebAuthnRegistration: %w: empty access token", ErrInvalidParameter)
	}
	out, err := c.api.StartWebAuthnRegistration(ctx, &cip.StartWebAuthnRegistrationInput{AccessToken: aws.String(accessToken)}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("StartWebAuthnRegistration", err)
	}
	b, err := documentJSON(out.CredentialCreationOptions)
	if err != nil {
		return nil, fmt.Errorf("cognito: StartWebAuthnRegistration: %w: CredentialCreationOptions: %w", ErrInvalidResponse, err)
	}
	o, err := ParseCredentialCreationOptions(b)
	if err != nil {
		return nil, fmt.Errorf("cognito: StartWebAuthnRegistration: %w", err)
	}
	return o, nil
}

// CompletePasskeyRegistration finishes a registration begun with
// StartPasskeyRegistration (CompleteWebAuthnRegistration) with the
// authenticator's new credential: the PublicKeyCredential that
// navigator.credentials.create returned, serialised with its toJSON()
// (RegistrationResponseJSON). Its shape is checked (ErrInvalidParameter)
// before it is sent; Cognito verifies the attestation, challenge, origin and
// relying party.
func (c *Client) CompletePasskeyRegistration(ctx context.Context, accessToken string, credential []byte) error {
	if accessToken == "" {
		return fmt.Errorf("cognito: CompleteWebAuthnRegistration: %w: empty access token", ErrInvalidParameter)
	}
	cred, err := checkCredential("CompleteWebAuthnRegistration", credential, "clientDataJSON", "attestationObject")
	if err != nil {
		return err
	}
	doc, err := jsonDocument(cred)
	if err != nil {
		return fmt.Errorf("cognito: CompleteWebAuthnRegistration: %w: passkey credential: %w", ErrInvalidParameter, err)
	}
	_, err = c.api.CompleteWebAuthnRegistration(ctx, &cip.CompleteWebAuthnRegistrationInput{AccessToken: aws.String(accessToken), Credential: doc}, c.apiOptions...)
	return wrapErr("CompleteWebAuthnRegistration", err)
}

// Passkey is a registered passkey (WebAuthnCredentialDescription).
type Passkey struct {
	// CredentialID identifies the passkey (for DeletePasskey).
	CredentialID string
	// FriendlyName is the name Cognito gave it.
	FriendlyName string
	// RelyingPartyID is the relying party it is bound to.
	RelyingPartyID string
	// Attachment is "platform" or "cross-platform", when known.
	Attachment string
	// Transports are how the authenticator is reached ("usb", "internal", …).
	Transports []string
	// Created is when it was registered.
	Created time.Time
}

// ListPasskeys lists the signed-in user's passkeys
// (ListWebAuthnCredentials, every page).
func (c *Client) ListPasskeys(ctx context.Context, accessToken string) ([]Passkey, error) {
	if accessToken == "" {
		return nil, fmt.Errorf("cognito: ListWebAuthnCredentials: %w: empty access token", ErrInvalidParameter)
	}
	var out []Passkey
	var next *string
	for range 1000 {
		resp, err := c.api.ListWebAuthnCredentials(ctx, &cip.ListWebAuthnCredentialsInput{AccessToken: aws.String(accessToken), NextToken: next}, c.apiOptions...)
		if err != nil {
			return nil, wrapErr("ListWebAuthnCredentials", err)
		}
		for _, d := range resp.Credentials {
			out = append(out, Passkey{
				CredentialID:   aws.ToString(d.CredentialId),
				FriendlyName:   aws.ToString(d.FriendlyCredentialName),
				RelyingPartyID: aws.ToString(d.RelyingPartyId),
				Attachment:     aws.ToString(d.AuthenticatorAttachment),
				Transports:     d.AuthenticatorTransports,
				Created:        aws.ToTime(d.CreatedAt),
			})
		}
		if next = resp.NextToken; aws.ToString(next) == "" {
			return out, nil
		}
	}
	return nil, fmt.Errorf("cognito: ListWebAuthnCredentials: %w: too many pages", ErrInvalidResponse)
}

// DeletePasskey deletes one of the signed-in user's passkeys
// (DeleteWebAuthnCredential). An unknown ID is ErrResourceNotFound.
func (c *Client) DeletePasskey(ctx context.Context, accessToken, credentialID string) error {
	if accessToken == "" || credentialID == "" {
		return fmt.Errorf("cognito: DeleteWebAuthnCredential: %w: empty access token or credential ID", ErrInvalidParameter)
	}
	_, err := c.api.DeleteWebAuthnCredential(ctx, &cip.DeleteWebAuthnCredentialInput{AccessToken: aws.String(accessToken), CredentialId: aws.String(credentialID)}, c.apiOptions...)
	return wrapErr("DeleteWebAuthnCredential", err)
}

// UserAuthFactors are the sign-in factors of the signed-in user
// (GetUserAuthFactors).
type UserAuthFactors struct {
	// Username is the Cognito username.
	Username string
	// Factors are the first factors the user can sign in with through
	// FlowUserAuth (for example FactorPassword, FactorWebAuthn).
	Factors []Factor
	// MFA are the MFA methods set up ("SMS_MFA", "EMAIL_OTP",
	// "SOFTWARE_TOKEN_MFA"), and PreferredMFA the preferred one.
	MFA          []string
	PreferredMFA string
}

// GetUserAuthFactors returns the signed-in user's sign-in factors.
func (c *Client) GetUserAuthFactors(ctx context.Context, accessToken string) (*UserAuthFactors, error) {
	if accessToken == "" {
		return nil, fmt.Errorf("cognito: GetUserAuthFactors: %w: empty access token", ErrInvalidParameter)
	}
	out, err := c.api.GetUserAuthFactors(ctx, &cip.GetUserAuthFactorsInput{AccessToken: aws.String(accessToken)}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("GetUserAuthFactors", err)
	}
	f := &UserAuthFactors{Username: aws.ToString(out.Username), MFA: out.UserMFASettingList, PreferredMFA: aws.ToString(out.PreferredMfaSetting)}
	for _, t := range out.ConfiguredUserAuthFactors {
		f.Factors = append(f.Factors, Factor(t))
	}
	return f, nil
}
