package cognitotest

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrSeedConfig is wrapped by every *SeedConfigError, so that callers may
// test errors.Is(err, ErrSeedConfig) for a configuration refused before
// anything was created.
var ErrSeedConfig = errors.New("cognitotest: invalid seed config")

// SeedConfigError is a SeedConfig entry ParseSeedConfig refuses: Path is
// the entry's JSON path (e.g. "userPools[0].signInPolicy.
// allowedFirstAuthFactors[1]"), Reason what is wrong with it.
type SeedConfigError struct {
	Path   string
	Reason string
}

// Error returns "cognitotest: config: Path: Reason".
func (e *SeedConfigError) Error() string { return "cognitotest: config: " + e.Path + ": " + e.Reason }

// Is reports whether target is ErrSeedConfig.
func (e *SeedConfigError) Is(target error) bool { return target == ErrSeedConfig }

// SeedSignInPolicy is a SeedPool's sign-in policy (CreateUserPool's
// Policies.SignInPolicy), e.g. {"allowedFirstAuthFactors": ["PASSWORD",
// "EMAIL_OTP"]}: the first factors USER_AUTH offers, among "PASSWORD"
// (required), "EMAIL_OTP", "SMS_OTP" and "WEB_AUTHN".
type SeedSignInPolicy struct {
	AllowedFirstAuthFactors []string `json:"allowedFirstAuthFactors"`
}

// SeedWebAuthn is a SeedPool's passkey configuration (SetUserPoolMfaConfig's
// WebAuthnConfiguration), e.g. {"relyingPartyId": "auth.example.com",
// "userVerification": "required"}. RelyingPartyID is a domain without a
// scheme, port or path; UserVerification is "preferred" (the default) or
// "required".
type SeedWebAuthn struct {
	RelyingPartyID   string `json:"relyingPartyId"`
	UserVerification string `json:"userVerification"`
}

// SeedRefreshTokenRotation is a SeedClient's refresh-token rotation
// (CreateUserPoolClient's RefreshTokenRotation), e.g. {"feature":
// "ENABLED", "retryGracePeriodSeconds": 10}. Feature is "ENABLED" or
// "DISABLED"; with rotation the client refreshes through
// GetTokensFromRefreshToken, and the replaced token keeps working for
// RetryGracePeriodSeconds (0 to 60). Omitted explicitAuthFlows then leave
// ALLOW_REFRESH_TOKEN_AUTH out; naming it is refused.
type SeedRefreshTokenRotation struct {
	Feature                 string `json:"feature"`
	RetryGracePeriodSeconds int64  `json:"retryGracePeriodSeconds"`
}

// seedChoice checks that v, at path, is empty or one of allowed.
func seedChoice(path, v string, allowed ...string) error {
	if v == "" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return &SeedConfigError{Path: path, Reason: fmt.Sprintf("%q is not one of %s", v, strings.Join(allowed, ", "))}
}

// checkSeedSignIn checks the sign-in options of a SeedConfig's pools and
// clients, naming the JSON path of the first wrong entry.
func checkSeedSignIn(c *SeedConfig) error {
	for i, sp := range c.UserPools {
		at := fmt.Sprintf("userPools[%d]", i)
		if err := checkSeedPoolSignIn(at, sp); err != nil {
			return err
		}
		for j, sc := range sp.Clients {
			if err := checkSeedRotation(fmt.Sprintf("%s.clients[%d].refreshTokenRotation", at, j), sp.Tier, sc); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkSeedPoolSignIn(at string, sp SeedPool) error {
	if err := seedChoice(at+".mfa", sp.MFA, "OFF", "ON", "OPTIONAL"); err != nil {
		return err
	}
	if err := seedChoice(at+".tier", sp.Tier, "LITE", "ESSENTIALS", "PLUS"); err != nil {
		return err
	}
	if p := sp.SignInPolicy; p != nil {
		path := at + ".signInPolicy.allowedFirstAuthFactors"
		seen := map[string]bool{}
		for k, f := range p.AllowedFirstAuthFactors {
			fp := fmt.Sprintf("%s[%d]", path, k)
			if err := seedChoice(fp, f, "PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"); err != nil || f == "" {
				if err == nil {
					err = &SeedConfigError{Path: fp, Reason: "empty factor"}
				}
				return err
			}
			if seen[f] {
				return &SeedConfigError{Path: fp, Reason: fmt.Sprintf("%q is listed twice", f)}
			}
			seen[f] = true
			if f != "PASSWORD" && sp.Tier == "LITE" {
				return &SeedConfigError{Path: fp, Reason: fmt.Sprintf("%q needs tier ESSENTIALS or PLUS, not LITE", f)}
			}
		}
		if !seen["PASSWORD"] {
			return &SeedConfigError{Path: path, Reason: `must include "PASSWORD"`}
		}
	}
	if w := sp.WebAuthn; w != nil {
		if err := seedChoice(at+".webAuthn.userVerification", w.UserVerification, "preferred", "required"); err != nil {
			return err
		}
		if rp := w.RelyingPartyID; strings.ContainsAny(rp, ":/?# ") {
			return &SeedConfigError{Path: at + ".webAuthn.relyingPartyId",
				Reason: fmt.Sprintf("%q must be a domain name, without a scheme, port or path", rp)}
		}
		if sp.Tier == "LITE" {
			return &SeedConfigError{Path: at + ".webAuthn", Reason: "passkeys need tier ESSENTIALS or PLUS, not LITE"}
		}
	}
	return nil
}

func checkSeedRotation(path, tier string, sc SeedClient) error {
	r := sc.RefreshTokenRotation
	if r == nil {
		return nil
	}
	if r.Feature == "" {
		return &SeedConfigError{Path: path + ".feature", Reason: `required: "ENABLED" or "DISABLED"`}
	}
	if err := seedChoice(path+".feature", r.Feature, "ENABLED", "DISABLED"); err != nil {
		return err
	}
	if r.RetryGracePeriodSeconds < 0 || r.RetryGracePeriodSeconds > 60 {
		return &SeedConfigError{Path: path + ".retryGracePeriodSeconds",
			Reason: fmt.Sprintf("%d is not between 0 and 60", r.RetryGracePeriodSeconds)}
	}
	if r.Feature != "ENABLED" {
		return nil
	}
	if tier == "LITE" {
		return &SeedConfigError{Path: path, Reason: "refresh-token rotation needs tier ESSENTIALS or PLUS, not LITE"}
	}
	for _, f := range sc.ExplicitAuthFlows {
		if f == "ALLOW_REFRESH_TOKEN_AUTH" {
			return &SeedConfigError{Path: path, Reason: "a client with rotation may not list ALLOW_REFRESH_TOKEN_AUTH in explicitAuthFlows"}
		}
	}
	return nil
}

// seedPoolOptions is the PoolOptions a SeedPool describes.
func seedPoolOptions(sp SeedPool) PoolOptions {
	o := PoolOptions{ID: sp.ID, Name: sp.Name, UsernameAttributes: sp.UsernameAttributes,
		AliasAttributes: sp.AliasAttributes, AutoVerifiedAttributes: sp.AutoVerifiedAttributes,
		RequiredAttributes: sp.RequiredAttributes, CustomAttributes: sp.CustomAttributes, MFA: sp.MFA,
		PasswordPolicy: sp.PasswordPolicy, AdminCreateUserOnly: sp.AdminCreateUserOnly,
		DeviceTracking: sp.DeviceTracking, DeviceOnlyRememberedOnUserPrompt: sp.DeviceOnlyRememberedOnUserPrompt,
		LambdaConfig: sp.LambdaConfig, Tier: sp.Tier}
	if sp.SignInPolicy != nil {
		o.SignInFactors = sp.SignInPolicy.AllowedFirstAuthFactors
	}
	if sp.WebAuthn != nil {
		o.WebAuthnRelyingPartyID, o.WebAuthnUserVerification = sp.WebAuthn.RelyingPartyID, sp.WebAuthn.UserVerification
	}
	return o
}

// seedClientOptions is the ClientOptions a SeedClient describes.
func seedClientOptions(sc SeedClient) ClientOptions {
	sec := func(v int64) time.Duration { return time.Duration(v) * time.Second }
	o := ClientOptions{ID: sc.ID, Secret: sc.Secret, Name: sc.Name,
		ExplicitAuthFlows: sc.ExplicitAuthFlows, AccessTokenValidity: sec(sc.AccessTokenValiditySeconds),
		IDTokenValidity: sec(sc.IDTokenValiditySeconds), RefreshTokenValidity: sec(sc.RefreshTokenValiditySecs),
		ReadAttributes: sc.ReadAttributes, WriteAttributes: sc.WriteAttributes, CallbackURLs: sc.CallbackURLs,
		LogoutURLs: sc.LogoutURLs, AllowedOAuthFlows: sc.AllowedOAuthFlows, AllowedOAuthScopes: sc.AllowedOAuthScopes,
		SupportedIdentityProviders: sc.SupportedIdentityProviders, PreventUserExistenceErrors: sc.PreventUserExistenceErrors}
	if r := sc.RefreshTokenRotation; r != nil && r.Feature == "ENABLED" {
		o.RotateRefreshTokens, o.RetryGracePeriod = true, sec(r.RetryGracePeriodSeconds)
	}
	return o
}
