package triggers

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// PreTokenVersion is the pool's PreTokenGenerationConfig.LambdaVersion.
type PreTokenVersion string

// The pre token generation event versions.
const (
	PreTokenV1 PreTokenVersion = "V1_0" // ID token only, string claims
	PreTokenV2 PreTokenVersion = "V2_0" // ID and access tokens, scopes, any JSON claim value
	PreTokenV3 PreTokenVersion = "V3_0" // V2_0, also for client-credentials tokens
)

// eventVersion is the event's "version" field for v.
func (v PreTokenVersion) eventVersion() string {
	switch v {
	case PreTokenV2:
		return "2"
	case PreTokenV3:
		return "3"
	}
	return "1"
}

// Fires reports whether a trigger of this version runs for src: client
// credentials tokens only reach V3_0 triggers.
func (v PreTokenVersion) Fires(src Source) bool {
	if src == SourceTokenClientCredentials {
		return v == PreTokenV3
	}
	return src.Trigger() == PreTokenGeneration
}

// Groups is a group configuration: cognito:groups, cognito:roles and
// cognito:preferred_role. In an override a nil field leaves that claim as
// it is and an empty, non-nil list removes it: a Go handler built on
// aws-lambda-go's types always returns groupOverrideDetails, with nulls
// for what it did not set, which must not wipe the user's groups.
type Groups struct {
	Groups        []string
	IAMRoles      []string
	PreferredRole *string
}

// PreTokenInput is what the service knows when it is about to issue
// tokens.
type PreTokenInput struct {
	Caller
	Source         Source
	UserAttributes Attributes // the user's attributes (empty for client credentials)
	Groups         Groups
	Scopes         []string // the access token's scopes (V2_0, V3_0)
	ClientMetadata Metadata
}

// NewPreTokenGenerationEvent builds the pre token generation event of
// version v: an events.CognitoEventUserPoolsPreTokenGen for V1_0, an
// events.CognitoEventUserPoolsPreTokenGenV2_0 for V2_0 and V3_0 (whose
// events differ only in "version").
func NewPreTokenGenerationEvent(v PreTokenVersion, in PreTokenInput) any {
	groups := func() []string { return orEmptySlice(in.Groups.Groups) }
	roles := func() []string { return orEmptySlice(in.Groups.IAMRoles) }
	if v != PreTokenV2 && v != PreTokenV3 {
		return events.CognitoEventUserPoolsPreTokenGen{
			CognitoEventUserPoolsHeader: in.header(v.eventVersion(), in.Source),
			Request: events.CognitoEventUserPoolsPreTokenGenRequest{
				UserAttributes:     orEmpty(in.UserAttributes),
				GroupConfiguration: events.GroupConfiguration{GroupsToOverride: groups(), IAMRolesToOverride: roles(), PreferredRole: in.Groups.PreferredRole},
				ClientMetadata:     orEmpty(in.ClientMetadata),
			},
		}
	}
	return events.CognitoEventUserPoolsPreTokenGenV2_0{
		CognitoEventUserPoolsHeader: in.header(v.eventVersion(), in.Source),
		Request: events.CognitoEventUserPoolsPreTokenGenRequestV2_0{
			UserAttributes:     orEmpty(in.UserAttributes),
			GroupConfiguration: events.GroupConfigurationV2_0{GroupsToOverride: groups(), IAMRolesToOverride: roles(), PreferredRole: in.Groups.PreferredRole},
			ClientMetadata:     orEmpty(in.ClientMetadata),
			Scopes:             orEmptySlice(in.Scopes),
		},
	}
}

func orEmptySlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TokenOverrides is what a pre token generation trigger asked for, in one
// shape for every version. Apply it with ApplyID and ApplyAccess.
type TokenOverrides struct {
	IDClaims         map[string]any // add or override in the ID token
	IDSuppress       []string       // remove from the ID token
	AccessClaims     map[string]any // add or override in the access token (V2_0, V3_0)
	AccessSuppress   []string       // remove from the access token
	ScopesToAdd      []string       // add to the access token's scope
	ScopesToSuppress []string       // remove from the access token's scope
	Groups           *Groups        // overrides the group claims (see Groups); nil leaves them
}

// The response shapes, decoded with pointers so that an absent part is
// told apart from an empty one.
type groupOverrideJSON struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

type preTokenV1JSON struct {
	Response struct {
		Details *struct {
			ClaimsToAddOrOverride map[string]string  `json:"claimsToAddOrOverride"`
			ClaimsToSuppress      []string           `json:"claimsToSuppress"`
			GroupOverrideDetails  *groupOverrideJSON `json:"groupOverrideDetails"`
		} `json:"claimsOverrideDetails"`
	} `json:"response"`
}

type preTokenV2JSON struct {
	Response struct {
		Details *struct {
			IDTokenGeneration *struct {
				ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
				ClaimsToSuppress      []string       `json:"claimsToSuppress"`
			} `json:"idTokenGeneration"`
			AccessTokenGeneration *struct {
				ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
				ClaimsToSuppress      []string       `json:"claimsToSuppress"`
				ScopesToAdd           []string       `json:"scopesToAdd"`
				ScopesToSuppress      []string       `json:"scopesToSuppress"`
			} `json:"accessTokenGeneration"`
			GroupOverrideDetails *groupOverrideJSON `json:"groupOverrideDetails"`
		} `json:"claimsAndScopeOverrideDetails"`
	} `json:"response"`
}

func (g *groupOverrideJSON) groups() *Groups {
	if g == nil {
		return nil
	}
	return &Groups{Groups: g.GroupsToOverride, IAMRoles: g.IAMRolesToOverride, PreferredRole: g.PreferredRole}
}

// InvokePreTokenGeneration runs a pre token generation trigger with an
// event from NewPreTokenGenerationEvent and returns its overrides. A V1_0
// response whose claim values are not strings, a claim or scope name that
// is empty or a scope with a space, is unusable.
func InvokePreTokenGeneration(ctx context.Context, inv Invoker, arn string, v PreTokenVersion, event any) (TokenOverrides, error) {
	var o TokenOverrides
	if v != PreTokenV2 && v != PreTokenV3 {
		var out preTokenV1JSON
		if err := invoke(ctx, inv, arn, PreTokenGeneration, event, &out); err != nil {
			return o, err
		}
		if d := out.Response.Details; d != nil {
			o.IDClaims = make(map[string]any, len(d.ClaimsToAddOrOverride))
			for k, val := range d.ClaimsToAddOrOverride {
				o.IDClaims[k] = val
			}
			o.IDSuppress = d.ClaimsToSuppress
			o.Groups = d.GroupOverrideDetails.groups()
		}
	} else {
		var out preTokenV2JSON
		if err := invoke(ctx, inv, arn, PreTokenGeneration, event, &out); err != nil {
			return o, err
		}
		if d := out.Response.Details; d != nil {
			if id := d.IDTokenGeneration; id != nil {
				o.IDClaims, o.IDSuppress = id.ClaimsToAddOrOverride, id.ClaimsToSuppress
			}
			if at := d.AccessTokenGeneration; at != nil {
				o.AccessClaims, o.AccessSuppress = at.ClaimsToAddOrOverride, at.ClaimsToSuppress
				o.ScopesToAdd, o.ScopesToSuppress = at.ScopesToAdd, at.ScopesToSuppress
			}
			o.Groups = d.GroupOverrideDetails.groups()
		}
	}
	for _, names := range [][]string{o.IDSuppress, o.AccessSuppress, keys(o.IDClaims), keys(o.AccessClaims)} {
		for _, n := range names {
			if n == "" {
				return TokenOverrides{}, invalid(PreTokenGeneration, "empty claim name")
			}
		}
	}
	for _, s := range slices.Concat(o.ScopesToAdd, o.ScopesToSuppress) {
		if s == "" || strings.ContainsAny(s, " \t\n") {
			return TokenOverrides{}, invalid(PreTokenGeneration, "invalid scope %q", s)
		}
	}
	return o, nil
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Claims a trigger cannot add, override or suppress: the JWT and OIDC
// protocol claims and Cognito's own. The group claims change only through
// groupOverrideDetails. Attempts are ignored.
var (
	reservedIDClaims = []string{
		"acr", "amr", "aud", "at_hash", "auth_time", "azp", "c_hash", "exp", "iat", "identities", "iss",
		"jti", "nbf", "nonce", "origin_jti", "sub", "token_use", "event_id", "cognito:username",
		"cognito:groups", "cognito:roles", "cognito:preferred_role",
	}
	reservedAccessClaims = append(slices.Clone(reservedIDClaims), "client_id", "scope", "username", "version", "device_key")
)

// ApplyID applies the overrides to an ID token's claims, in place:
// suppressions, then additions (a claim both added and suppressed is
// suppressed), then the group override. Reserved claims are left alone.
func (o TokenOverrides) ApplyID(claims map[string]any) {
	apply(claims, o.IDClaims, o.IDSuppress, reservedIDClaims)
	if g := o.Groups; g != nil {
		setList(claims, "cognito:groups", g.Groups)
		setList(claims, "cognito:roles", g.IAMRoles)
		switch {
		case g.PreferredRole == nil:
		case *g.PreferredRole == "":
			delete(claims, "cognito:preferred_role")
		default:
			claims["cognito:preferred_role"] = *g.PreferredRole
		}
	}
}

// ApplyAccess applies the overrides to an access token's claims, in
// place, including the scope changes (the space-separated "scope" claim)
// and cognito:groups.
func (o TokenOverrides) ApplyAccess(claims map[string]any) {
	apply(claims, o.AccessClaims, o.AccessSuppress, reservedAccessClaims)
	if len(o.ScopesToAdd) > 0 || len(o.ScopesToSuppress) > 0 {
		scope, _ := claims["scope"].(string)
		scopes := strings.Fields(scope)
		for _, s := range o.ScopesToAdd {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
		scopes = slices.DeleteFunc(scopes, func(s string) bool { return slices.Contains(o.ScopesToSuppress, s) })
		if len(scopes) == 0 {
			delete(claims, "scope")
		} else {
			claims["scope"] = strings.Join(scopes, " ")
		}
	}
	if o.Groups != nil {
		setList(claims, "cognito:groups", o.Groups.Groups)
	}
}

func apply(claims, add map[string]any, suppress, reserved []string) {
	for k, v := range add {
		if !slices.Contains(reserved, k) && !slices.Contains(suppress, k) {
			claims[k] = v
		}
	}
	for _, k := range suppress {
		if !slices.Contains(reserved, k) {
			delete(claims, k)
		}
	}
}

// setList sets a list claim: nil leaves it, empty removes it.
func setList(claims map[string]any, name string, values []string) {
	if values == nil {
		return
	}
	if len(values) == 0 {
		delete(claims, name)
		return
	}
	claims[name] = slices.Clone(values)
}
