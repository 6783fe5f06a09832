package fakesaml

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
)

// ErrInvalidResponse wraps every refusal of SP.VerifyResponse. The
// underlying crewjam/saml error is wrapped too, so errors.Is also matches
// saml.ErrInvalidSignature, saml.ErrAudienceMismatch,
// saml.ErrDestinationMismatch, saml.ErrExpired, saml.ErrNotYetValid,
// saml.ErrRequestIDMismatch, saml.ErrIssuerMismatch or
// saml.ErrAssertionReplayed.
var ErrInvalidResponse = errors.New("fakesaml: invalid SAML response")

// The service provider identity pools verify SAML logins as: AWS's
// sign-in SAML endpoint.
const (
	AWSEntityID = "urn:amazon:webservices"
	AWSACSURL   = "https://signin.aws.amazon.com/saml"
)

// SPConfig configures an SP.
type SPConfig struct {
	// EntityID is the SP's entity ID, the audience its assertions must
	// name: a user pool's is "urn:amazon:cognito:sp:<pool ID>". Required.
	EntityID string
	// ACSURL is the assertion consumer service URL: responses must be
	// addressed (Destination, Recipient) to it. A user pool's is
	// https://<domain>/saml2/idpresponse. Required.
	ACSURL string
	// IdPMetadata is the identity provider's metadata XML. Required.
	IdPMetadata []byte
	// AllowIDPInitiated accepts unsolicited responses (no InResponseTo),
	// as a user pool does when IdP sign-in is enabled.
	AllowIDPInitiated bool
	// SkipReplayCheck accepts the same assertion more than once within its
	// validity window. Leave it off for a browser sign-in (the hosted UI):
	// there each assertion is posted once. An identity pool needs it:
	// GetId and then GetCredentialsForIdentity carry the same SAMLResponse
	// in Logins.
	SkipReplayCheck bool
	// Now may be nil (wall clock).
	Now func() time.Time
}

// SP verifies SAML responses for one service provider and one IdP. It is
// safe for concurrent use.
type SP struct {
	sp saml.ServiceProvider
}

// NewSP returns an SP.
func NewSP(cfg SPConfig) (*SP, error) {
	if cfg.EntityID == "" {
		return nil, errors.New("fakesaml: SPConfig.EntityID is required")
	}
	acs, err := url.Parse(cfg.ACSURL)
	if err != nil || (acs.Scheme != "http" && acs.Scheme != "https") || acs.Host == "" {
		return nil, errors.New("fakesaml: SPConfig.ACSURL must be an absolute http(s) URL")
	}
	md, err := samlsp.ParseMetadata(cfg.IdPMetadata)
	if err != nil {
		return nil, fmt.Errorf("fakesaml: the IdP metadata: %w", err)
	}
	if len(md.IDPSSODescriptors) == 0 {
		return nil, errors.New("fakesaml: the IdP metadata has no IDPSSODescriptor")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	sp := &SP{sp: saml.ServiceProvider{
		EntityID: cfg.EntityID, AcsURL: *acs, IDPMetadata: md, Clock: newClock(cfg.Now),
		AllowIDPInitiated: cfg.AllowIDPInitiated,
		AuthnNameIDFormat: saml.UnspecifiedNameIDFormat, AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
	}}
	if !cfg.SkipReplayCheck {
		sp.sp.ReplayCache = &replayCache{now: now, seen: map[string]time.Time{}}
	}
	return sp, nil
}

// EntityID returns the SP's entity ID (the audience it requires).
func (s *SP) EntityID() string { return s.sp.EntityID }

// AuthnRequestURL starts an SP-initiated login: the IdP's SSO URL with a
// new AuthnRequest by the HTTP-Redirect binding, asking for the response
// by HTTP-POST to the ACS URL. Keep requestID (a user pool keeps it in
// its state) and pass it to VerifyResponse.
func (s *SP) AuthnRequestURL(relayState string) (redirectURL, requestID string, err error) {
	sso := s.sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	if sso == "" {
		return "", "", errors.New("fakesaml: the IdP has no HTTP-Redirect SSO endpoint")
	}
	req, err := s.sp.MakeAuthenticationRequest(sso, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", "", fmt.Errorf("fakesaml: making the AuthnRequest: %w", err)
	}
	u, err := req.Redirect(relayState, &s.sp)
	if err != nil {
		return "", "", fmt.Errorf("fakesaml: encoding the AuthnRequest: %w", err)
	}
	return u.String(), req.ID, nil
}

// Assertion is what a verified response says.
type Assertion struct {
	// ID is the assertion's ID (accepted once only).
	ID           string
	Issuer       string
	NameID       string
	NameIDFormat string
	SessionIndex string
	// Attributes by name, each with its values.
	Attributes map[string][]string
	// NotOnOrAfter is the end of the assertion's validity window.
	NotOnOrAfter time.Time
}

// VerifyResponse verifies a SAMLResponse as posted to the ACS URL (base64)
// with crewjam/saml: the IdP's signature on the response or assertion,
// issuer, audience (EntityID), destination and recipient (ACSURL), the
// validity window (crewjam's MaxClockSkew of skew), InResponseTo (one of
// requestIDs, or none when AllowIDPInitiated) and replay: each assertion
// ID is accepted once (unless SkipReplayCheck). Errors wrap ErrInvalidResponse (see there).
func (s *SP) VerifyResponse(samlResponse string, requestIDs []string) (*Assertion, error) {
	raw, err := base64.StdEncoding.DecodeString(samlResponse)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %w", ErrInvalidResponse, saml.ErrMalformedMessage)
	}
	a, err := s.sp.ParseXMLResponse(raw, requestIDs, s.sp.AcsURL)
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidResponse, ire.PrivateErr)
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidResponse, err)
	}
	out := &Assertion{ID: a.ID, Issuer: a.Issuer.Value, Attributes: map[string][]string{}}
	if a.Subject != nil && a.Subject.NameID != nil {
		out.NameID, out.NameIDFormat = a.Subject.NameID.Value, a.Subject.NameID.Format
	}
	if a.Conditions != nil {
		out.NotOnOrAfter = a.Conditions.NotOnOrAfter
	}
	if len(a.AuthnStatements) > 0 {
		out.SessionIndex = a.AuthnStatements[0].SessionIndex
	}
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			for _, v := range attr.Values {
				out.Attributes[attr.Name] = append(out.Attributes[attr.Name], v.Value)
			}
		}
	}
	return out, nil
}

// replayCache is an in-memory saml.AssertionReplayCache on the SP's clock.
type replayCache struct {
	now  func() time.Time
	mu   sync.Mutex
	seen map[string]time.Time
}

func (c *replayCache) Consume(id string, expiresAt time.Time) error {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, exp := range c.seen {
		if now.After(exp) {
			delete(c.seen, k)
		}
	}
	if _, ok := c.seen[id]; ok {
		return saml.ErrAssertionReplayed
	}
	c.seen[id] = expiresAt
	return nil
}
