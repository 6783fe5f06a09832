// Package iam is the emulator's IAM role API: the Query-protocol actions
// (POST / with Action=…&Version=2010-05-08) that Terraform's aws_iam_role
// and aws_iam_role_policy and the AWS CLI use to create, read, change and
// delete roles, their inline policies and their tags.
//
// The roles are the ones the identity pools hand out and the API Gateway
// evaluates: package iam keeps no role table of its own but reads and
// writes them through a RoleStore (the identity pools, connected by
// cognitotest). Each role is stored with its IAM description (name, path,
// ID, trust policy, inline policies, tags…) and two things derived from
// it, which the other services read:
//
//   - Policy, the union of the role's inline policies (their statements in
//     one document), which the API Gateway evaluates. Inline policies are
//     checked with iampolicy.Parse when they are put: one the gateway
//     could not evaluate is refused with MalformedPolicyDocument.
//   - The trust, from the AssumeRolePolicyDocument's statements that allow
//     the federated principal cognito-identity.amazonaws.com to call
//     sts:AssumeRoleWithWebIdentity: the identity pools named by their
//     cognito-identity.amazonaws.com:aud conditions and the amr of their
//     cognito-identity.amazonaws.com:amr conditions. A role whose trust
//     names no such statement can not be assumed through the basic flow.
//
// Managed policies: AttachRolePolicy accepts AWS-managed policy ARNs
// (arn:aws:iam::aws:policy/…), which are stored and listed but grant
// nothing in the emulated API (the emulator does not know their
// contents); customer-managed policies do not exist in the emulator
// (there is no CreatePolicy), so attaching one answers NoSuchEntity.
// Instance profiles do not exist either: ListInstanceProfilesForRole is
// always empty.
//
// A role declared outside IAM (cognitotest's PutRole, a seed file) is
// shown by IAM with a name and path from its ARN, an ID derived from the
// ARN, a trust policy built from its trusted pools and amr, and its
// policy as one inline policy named "policy".
package iam

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/sigv4client/iampolicy"
)

// Role is a role as its owner (the identity pools) stores it. Its fields
// are those of idpool.Role, so that the owner converts it directly.
type Role struct {
	// ARN is "arn:aws:iam::{account}:role{path}{name}".
	ARN string
	// TrustedIdentityPools and TrustedAMR are the trust the identity pools
	// check in AssumeRoleWithWebIdentity (derived from the trust policy).
	TrustedIdentityPools []string
	TrustedAMR           string
	// Policy is the role's effective policy (the union of its inline
	// policies), which the API Gateway evaluates.
	Policy string
	// IAM is this package's record of the role, in JSON.
	IAM json.RawMessage
}

// RoleStore is the owner of the roles: the identity pools. Package iam
// reads and writes every role through it.
type RoleStore interface {
	// Roles returns every role, sorted by ARN.
	Roles() []Role
	// PutRole declares or replaces a role.
	PutRole(Role)
	// DeleteRole removes a role and reports whether it existed.
	DeleteRole(arn string) bool
}

// Tag is a role's tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// record is the IAM description of a role, kept in Role.IAM.
type record struct {
	Path                string            `json:"path"`
	Name                string            `json:"name"`
	ID                  string            `json:"id"`
	Created             time.Time         `json:"created"`
	AssumeRolePolicy    string            `json:"assumeRolePolicy"`
	Description         string            `json:"description,omitempty"`
	MaxSessionDuration  int               `json:"maxSessionDuration"`
	PermissionsBoundary string            `json:"permissionsBoundary,omitempty"`
	Tags                []Tag             `json:"tags,omitempty"`
	Inline              map[string]string `json:"inline,omitempty"`
	Attached            []string          `json:"attached,omitempty"`
}

// cognitoPrincipal is the federated principal of identity-pool roles.
const cognitoPrincipal = "cognito-identity.amazonaws.com"

// fromStore returns the IAM record of a stored role: its own, or one
// derived from the role's ARN, trust and policy for a role declared
// outside IAM. ok is false for an ARN that is not a role ARN.
func fromStore(r Role) (*record, bool) {
	if len(r.IAM) > 0 {
		var rec record
		if err := json.Unmarshal(r.IAM, &rec); err == nil && rec.Name != "" {
			if rec.Inline == nil {
				rec.Inline = map[string]string{}
			}
			return &rec, true
		}
	}
	_, res, ok := strings.Cut(r.ARN, ":role/")
	if !ok || res == "" {
		return nil, false
	}
	i := strings.LastIndex(res, "/")
	rec := &record{Path: "/" + res[:i+1], Name: res[i+1:], MaxSessionDuration: 3600, Inline: map[string]string{}}
	sum := sha256.Sum256([]byte(r.ARN))
	rec.ID = "AROA" + encodeID(sum[:])
	rec.AssumeRolePolicy = trustDocument(r.TrustedIdentityPools, r.TrustedAMR)
	if r.Policy != "" {
		rec.Inline["policy"] = r.Policy
	}
	return rec, true
}

// idAlphabet is the alphabet of IAM unique IDs after their prefix.
const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// encodeID turns at least 17 bytes into the 17 characters that follow an
// ID's four-letter prefix.
func encodeID(b []byte) string {
	out := make([]byte, 17)
	for i := range out {
		out[i] = idAlphabet[b[i]&31]
	}
	return string(out)
}

// newID returns a fresh role ID: "AROA" and 17 characters (21 in all).
func newID(rand io.Reader) (string, error) {
	b := make([]byte, 17)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("iam: reading randomness: %w", err)
	}
	return "AROA" + encodeID(b), nil
}

// trustDocument is the trust policy of a role declared outside IAM: the
// identity pools may assume it, restricted as the role says.
func trustDocument(pools []string, amr string) string {
	cond := map[string]map[string]any{}
	if len(pools) > 0 {
		cond["StringEquals"] = map[string]any{cognitoPrincipal + ":aud": pools}
	}
	if amr != "" {
		cond["ForAnyValue:StringLike"] = map[string]any{cognitoPrincipal + ":amr": amr}
	}
	st := map[string]any{"Effect": "Allow", "Principal": map[string]string{"Federated": cognitoPrincipal},
		"Action": "sts:AssumeRoleWithWebIdentity"}
	if len(cond) > 0 {
		st["Condition"] = cond
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{st}})
	return string(b)
}

// toStore returns the stored form of a role: the record, the union of its
// inline policies and the trust of its trust policy.
func toStore(arn string, rec *record) (Role, error) {
	b, err := json.Marshal(rec)
	if err != nil {
		return Role{}, err
	}
	pol, err := unionPolicy(rec.Inline)
	if err != nil {
		return Role{}, err
	}
	r := Role{ARN: arn, Policy: pol, IAM: b}
	r.TrustedIdentityPools, r.TrustedAMR = trustOf(rec.AssumeRolePolicy)
	return r, nil
}

// unionPolicy returns one policy document holding the statements of every
// inline policy (by policy name, for a stable order), or "" for none.
func unionPolicy(inline map[string]string) (string, error) {
	if len(inline) == 0 {
		return "", nil
	}
	names := make([]string, 0, len(inline))
	for n := range inline {
		names = append(names, n)
	}
	sort.Strings(names)
	var all []json.RawMessage
	for _, n := range names {
		st, err := statements(inline[n])
		if err != nil {
			return "", err
		}
		all = append(all, st...)
	}
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": all})
	if err != nil {
		return "", err
	}
	if _, err := iampolicy.Parse(b); err != nil {
		return "", malformed(err)
	}
	return string(b), nil
}

// statements returns the statements of a policy document (a Statement
// object or array).
func statements(doc string) ([]json.RawMessage, error) {
	var d struct{ Statement json.RawMessage }
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, malformed(err)
	}
	raw := bytes.TrimSpace(d.Statement)
	if len(raw) > 0 && raw[0] == '{' {
		return []json.RawMessage{raw}, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, malformed(err)
	}
	return list, nil
}

// trustStatement is the part of a trust-policy statement the identity
// pools' trust is read from.
type trustStatement struct {
	Effect    string
	Principal json.RawMessage
	Action    iampolicy.StringList
	Condition map[string]map[string]iampolicy.StringList
}

// untrusted is the TrustedAMR of a role that trusts no identity pool: no
// token's amr is this, so the basic flow refuses the role.
const untrusted = "none"

// trustOf reads the identity pools' trust from a trust policy: the
// statements allowing cognito-identity.amazonaws.com to call
// sts:AssumeRoleWithWebIdentity, their aud conditions (any pool when one
// statement has none) and amr conditions (either when they name both).
func trustOf(doc string) (pools []string, amr string) {
	raws, err := statements(doc)
	if err != nil {
		return nil, untrusted
	}
	found, anyPool, anyAMR, amrs := false, false, false, map[string]bool{}
	for _, raw := range raws {
		var st trustStatement
		if json.Unmarshal(raw, &st) != nil || st.Effect != "Allow" || !trustsCognito(st) {
			continue
		}
		found = true
		var stPools, stAMR []string
		for _, kv := range st.Condition {
			for k, v := range kv {
				switch strings.ToLower(k) {
				case cognitoPrincipal + ":aud":
					stPools = append(stPools, v...)
				case cognitoPrincipal + ":amr":
					stAMR = append(stAMR, v...)
				}
			}
		}
		if len(stPools) == 0 {
			anyPool = true
		}
		pools = append(pools, stPools...)
		if len(stAMR) == 0 {
			anyAMR = true
		}
		for _, a := range stAMR {
			amrs[a] = true
		}
	}
	if !found {
		return nil, untrusted
	}
	if anyPool {
		pools = nil
	}
	switch {
	case anyAMR || (amrs["authenticated"] && amrs["unauthenticated"]):
		amr = ""
	case amrs["authenticated"]:
		amr = "authenticated"
	case amrs["unauthenticated"]:
		amr = "unauthenticated"
	default:
		amr = untrusted
	}
	sort.Strings(pools)
	return pools, amr
}

// trustsCognito reports whether a statement names the federated principal
// cognito-identity.amazonaws.com and the action
// sts:AssumeRoleWithWebIdentity.
func trustsCognito(st trustStatement) bool {
	var p struct{ Federated iampolicy.StringList }
	if json.Unmarshal(st.Principal, &p) != nil {
		return false
	}
	fed := false
	for _, f := range p.Federated {
		fed = fed || f == cognitoPrincipal
	}
	act := false
	for _, a := range st.Action {
		act = act || iampolicy.Match(strings.ToLower(a), "sts:assumerolewithwebidentity")
	}
	return fed && act
}
