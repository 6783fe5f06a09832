// Package iampolicy evaluates the part of AWS IAM that API Gateway applies
// to AWS_IAM-authorized routes: identity policies of Allow and Deny
// statements on actions such as execute-api:Invoke, with wildcard
// resources of the form
//
//	arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}
//
// Evaluation follows IAM's rules for a single account: a request is denied
// by default, allowed when some statement allows it, and denied whenever
// some statement explicitly denies it (explicit deny wins). '*' in an
// action or resource pattern matches any run of characters (including '/'
// and ':', and the empty run), '?' exactly one; nothing in the request's
// action or resource is a wildcard (a '*' there is just a character).
// Actions compare without regard to case, resources with it.
//
// A denial is a *DeniedError whose Message is API Gateway's text, "User:
// {principal} is not authorized to perform: execute-api:Invoke on
// resource: {arn}" (with " with an explicit deny" for an explicit one, and
// the account in the ARN masked as API Gateway masks it); WriteDenied
// answers it as API Gateway does: 403, {"Message": …}.
//
// A statement's Condition is evaluated with IAM's rules against the
// request context given in a Request (see EvaluateRequest), and policy
// variables such as ${aws:PrincipalTag/department} are substituted in
// Resource and in string and ARN condition values (policies of Version
// 2012-10-17 only, as in IAM). An unknown condition operator is a parse
// error, never silently allowed.
//
// NotAction, NotResource, principals and resource policies are not
// modelled; a policy using them is refused by Parse rather than
// half-applied. So is a policy whose element names are not spelled
// exactly as IAM spells them (they are case-sensitive) or that gives a key
// twice (ambiguous).
package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ActionInvoke is the action API Gateway authorizes for a call.
const ActionInvoke = "execute-api:Invoke"

// Effect is a statement's effect.
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Errors.
var (
	// ErrInvalidPolicy: a policy document that cannot be evaluated.
	ErrInvalidPolicy = errors.New("iampolicy: invalid policy")
	// ErrDenied: the request is not authorized. The error is a *DeniedError.
	ErrDenied = errors.New("iampolicy: access denied")
)

// StringList is a JSON string or array of strings, as IAM documents write
// Action and Resource.
type StringList []string

// UnmarshalJSON accepts "x" and ["x", "y"].
func (s *StringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = StringList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// Statement is one Allow or Deny of actions on resources.
type Statement struct {
	Sid      string     `json:"Sid,omitempty"`
	Effect   Effect     `json:"Effect"`
	Action   StringList `json:"Action"`
	Resource StringList `json:"Resource"`
	// Condition, when set, must hold for the statement to apply.
	Condition Condition `json:"Condition,omitempty"`

	// conds is Condition compiled by Parse (nil for a Statement built in
	// Go, which is compiled when evaluated).
	conds []clause
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version,omitempty"`
	Statement []Statement `json:"Statement"`
}

// UnmarshalJSON accepts a Statement written as one object or an array. It
// refuses element names not spelled exactly as IAM spells them (they are
// case-sensitive: "action" is not Action), a key given twice in one object
// (ambiguous: encoding/json would silently keep the last), and elements
// this package does not evaluate (NotAction, Principal...).
func (p *Policy) UnmarshalJSON(b []byte) error {
	if err := checkSyntax(b); err != nil {
		return err
	}
	var raw struct {
		Version   string          `json:"Version"`
		Id        string          `json:"Id"`
		Statement json.RawMessage `json:"Statement"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidPolicy, err)
	}
	p.Version = raw.Version
	st := bytes.TrimSpace(raw.Statement)
	if len(st) == 0 {
		return fmt.Errorf("%w: no Statement", ErrInvalidPolicy)
	}
	if st[0] == '{' {
		st = append(append([]byte{'['}, st...), ']')
	}
	sd := json.NewDecoder(bytes.NewReader(st))
	sd.DisallowUnknownFields()
	if err := sd.Decode(&p.Statement); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidPolicy, err)
	}
	if err := p.Validate(); err != nil {
		return err
	}
	for i := range p.Statement {
		p.Statement[i].conds, _ = compileCondition(p.Statement[i].Condition) // checked by Validate
	}
	return nil
}

// Parse reads a policy document from JSON. The error, which matches
// ErrInvalidPolicy, says what is wrong and where: not JSON, an element name
// in the wrong case, a duplicate key, an element this package does not
// evaluate, a bad Effect or Version, a statement without Action or
// Resource, an unknown condition operator or a condition value the
// operator cannot compare (a number that is not one, a bad CIDR block).
func Parse(doc []byte) (Policy, error) {
	var p Policy
	if err := json.Unmarshal(doc, &p); err != nil {
		if errors.Is(err, ErrInvalidPolicy) {
			return Policy{}, err
		}
		return Policy{}, fmt.Errorf("%w: not JSON: %v", ErrInvalidPolicy, err)
	}
	return p, nil
}

// Validate checks that every statement has an Effect of Allow or Deny, at
// least one action and at least one resource, and a Condition whose
// operators are known and whose values they can compare.
func (p Policy) Validate() error {
	if p.Version != "" && p.Version != "2012-10-17" && p.Version != "2008-10-17" {
		return fmt.Errorf("%w: unknown Version %q", ErrInvalidPolicy, p.Version)
	}
	for i, s := range p.Statement {
		if s.Effect != Allow && s.Effect != Deny {
			return fmt.Errorf("%w: statement %d: Effect %q (want Allow or Deny)", ErrInvalidPolicy, i, s.Effect)
		}
		if len(s.Action) == 0 || len(s.Resource) == 0 {
			return fmt.Errorf("%w: statement %d needs Action and Resource", ErrInvalidPolicy, i)
		}
		if _, err := compileCondition(s.Condition); err != nil {
			return fmt.Errorf("%w: statement %d: %v", ErrInvalidPolicy, i, err)
		}
	}
	return nil
}

// Decision is the outcome of an evaluation.
type Decision int

// The three outcomes.
const (
	// ImplicitDeny: no statement matched.
	ImplicitDeny Decision = iota
	// Allowed: an Allow statement matched and no Deny did.
	Allowed
	// ExplicitDeny: a Deny statement matched.
	ExplicitDeny
)

// String names the decision.
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	default:
		return "ImplicitDeny"
	}
}

// Evaluate decides an action on a resource under policies, with an empty
// request context: a statement with a Condition applies only if its
// condition holds with no context keys at all (see EvaluateRequest).
func Evaluate(policies []Policy, action, resource string) Decision {
	return EvaluateRequest(policies, Request{Action: action, Resource: resource})
}

// Request is what a caller asks: an action on a resource, with the
// request context the statements' conditions and policy variables are
// evaluated against.
//
// Context maps condition keys to their values (several for a multivalued
// key), for example
//
//	"aws:PrincipalTag/department": {"sales"}
//	"cognito-identity.amazonaws.com:sub": {"us-east-1:0f1e…"}
//	"aws:SourceIp": {"203.0.113.7"}
//
// Keys compare without regard to case; a key with no values is absent.
// The condition operators are IAM's: StringEquals, StringNotEquals,
// StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
// StringNotLike ('*' and '?' wildcards), Numeric{Equals, NotEquals,
// LessThan, LessThanEquals, GreaterThan, GreaterThanEquals},
// Date{Equals, NotEquals, LessThan, LessThanEquals, GreaterThan,
// GreaterThanEquals} (ISO 8601 or epoch seconds), Bool, IpAddress and
// NotIpAddress (addresses or CIDR blocks), ArnEquals, ArnLike,
// ArnNotEquals, ArnNotLike and Null; each but Null with an optional
// IfExists suffix and ForAnyValue: or ForAllValues: qualifier.
//
// As in IAM: a key missing from the context makes a condition false,
// except for a negated operator (StringNotEquals, NotIpAddress...), where
// it is true, for IfExists, where it is true, for ForAllValues, true with
// no values, and for Null, which tests exactly that. Without a qualifier
// a multivalued key matches when one of its values does. A policy
// variable that cannot be resolved makes the resource entry holding it
// match nothing, and the statement whose condition holds it not apply.
type Request struct {
	// Action is the action asked for, e.g. ActionInvoke.
	Action string
	// Resource is the resource ARN, e.g. from InvokeARN.
	Resource string
	// Context holds the request's condition keys and their values.
	Context map[string][]string
}

// EvaluateRequest decides a request under policies: denied by default,
// allowed when a statement allows it, denied when a statement denies it
// (explicit deny wins). A statement applies when one of its actions and
// one of its resources match and its Condition holds.
func EvaluateRequest(policies []Policy, req Request) Decision {
	d := ImplicitDeny
	ctx := reqContext{raw: req.Context}
	for _, p := range policies {
		vars := p.Version == "2012-10-17"
		for i := range p.Statement {
			s := &p.Statement[i]
			if !s.matches(req.Action, req.Resource, &ctx, vars) {
				continue
			}
			if s.Effect == Deny {
				return ExplicitDeny
			}
			if s.Effect == Allow {
				d = Allowed
			}
		}
	}
	return d
}

func (s *Statement) matches(action, resource string, ctx *reqContext, vars bool) bool {
	am := false
	for _, a := range s.Action {
		if Match(strings.ToLower(a), strings.ToLower(action)) {
			am = true
			break
		}
	}
	if !am {
		return false
	}
	rm := false
	for _, r := range s.Resource {
		if vars && strings.Contains(r, "${") {
			if p, lit, ok := expand(r, ctx); ok && matchLit(p, lit, resource) {
				rm = true
				break
			}
		} else if Match(r, resource) {
			rm = true
			break
		}
	}
	if !rm || len(s.Condition) == 0 {
		return rm
	}
	conds := s.conds
	if conds == nil {
		var err error
		if conds, err = compileCondition(s.Condition); err != nil {
			// A Statement built in Go with a condition that cannot be
			// evaluated: fail closed, a Deny applies and an Allow does not.
			return s.Effect == Deny
		}
	}
	for i := range conds {
		if ok, resolved := conds[i].eval(ctx, vars); !ok || !resolved {
			return false
		}
	}
	return true
}

// Match reports whether s matches pattern with IAM's wildcards: in
// pattern, '*' stands for any run of characters (the empty run included)
// and '?' for exactly one character; every character of s is literal, '*'
// and '?' included. A character is a UTF-8 encoded rune, or a single byte
// where the text is not valid UTF-8.
//
// It is the classic greedy matcher that backtracks only to the last '*':
// O(len(pattern)·len(s)) at worst, linear on ordinary patterns, no
// allocation and no regexp.
func Match(pattern, s string) bool {
	return matchLit(pattern, nil, s)
}

// matchLit is Match where lit, when not nil, marks the bytes of pattern
// that are literal (a '*' or '?' a policy variable put there).
func matchLit(pattern string, lit []bool, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		var pc byte
		if p < len(pattern) {
			pc = pattern[p]
		}
		switch {
		case p < len(pattern) && pc == '*' && (lit == nil || !lit[p]):
			// A star is always a wildcard, even where s has a '*'.
			star, mark = p, i
			p++
		case p < len(pattern) && pc == '?' && (lit == nil || !lit[p]):
			p++
			i += charLen(s, i)
		case p < len(pattern) && pc == s[i] && pc < utf8.RuneSelf:
			p++
			i++
		case p < len(pattern) && pc == s[i] && sameChar(pattern, p, s, i):
			n := charLen(s, i)
			p += n
			i += n
		case star >= 0:
			// Let the last star take one more character and retry.
			if s[mark] < utf8.RuneSelf {
				mark++
			} else {
				mark += charLen(s, mark)
			}
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' && (lit == nil || !lit[p]) {
		p++
	}
	return p == len(pattern)
}

// sameChar reports whether the characters at pattern[p] and s[i] are the
// same: the same bytes, and as long (a valid rune against the same rune, a
// stray byte against the same stray byte).
func sameChar(pattern string, p int, s string, i int) bool {
	n := charLen(s, i)
	return charLen(pattern, p) == n && pattern[p:p+n] == s[i:i+n]
}

// charLen is the length in bytes of the character at s[i]: its rune's
// UTF-8 length, 1 for a byte that does not start a valid encoding.
func charLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

// Role is a named set of identity policies (an IAM role or user).
type Role struct {
	// ARN names the role, e.g. "arn:aws:iam::123456789012:role/Cognito_Auth_Role".
	ARN string
	// Policies are the role's identity policies.
	Policies []Policy
}

// Authorize returns nil when the role's policies allow action on resource,
// and a *DeniedError naming principal otherwise. principal is who API
// Gateway names in the message: for a Cognito identity the assumed-role
// session ARN (see AssumedRoleARN), for an IAM user its ARN, "anonymous"
// for nobody.
func (r *Role) Authorize(principal, action, resource string) error {
	return r.AuthorizeRequest(principal, Request{Action: action, Resource: resource})
}

// AuthorizeRequest is Authorize for a request with a context: nil when
// the role's policies allow req (see EvaluateRequest), a *DeniedError
// naming principal otherwise.
func (r *Role) AuthorizeRequest(principal string, req Request) error {
	var policies []Policy
	if r != nil {
		policies = r.Policies
	}
	switch EvaluateRequest(policies, req) {
	case Allowed:
		return nil
	case ExplicitDeny:
		return &DeniedError{Principal: principal, Action: req.Action, Resource: req.Resource, Explicit: true}
	default:
		return &DeniedError{Principal: principal, Action: req.Action, Resource: req.Resource}
	}
}

// InvokeARN builds the resource ARN API Gateway authorizes a call on:
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path},
// path without its leading slash ("" for the root).
func InvokeARN(region, account, apiID, stage, method, path string) string {
	return "arn:aws:execute-api:" + region + ":" + account + ":" + apiID + "/" + stage + "/" +
		strings.ToUpper(method) + "/" + strings.TrimPrefix(path, "/")
}

// AssumedRoleARN is the caller ARN of a session of a role, as STS and API
// Gateway print it: a role ARN "arn:aws:iam::123456789012:role/Name" with
// session "CognitoIdentityCredentials" gives
// "arn:aws:sts::123456789012:assumed-role/Name/CognitoIdentityCredentials".
// Other ARNs are returned unchanged.
func AssumedRoleARN(roleARN, session string) string {
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) != 6 || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return roleARN
	}
	name := parts[5][len("role/"):]
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:] // drop the role's path
	}
	return "arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + name + "/" + session
}

// DeniedError is a refused authorization. It matches ErrDenied.
type DeniedError struct {
	Principal string
	Action    string
	Resource  string
	// Explicit reports a matching Deny statement (rather than no Allow).
	Explicit bool
}

// Error is Message, package-prefixed.
func (e *DeniedError) Error() string { return "iampolicy: " + e.Message() }

// Is reports whether target is ErrDenied.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// Message is API Gateway's text for the denial, the account ID in the
// resource masked as it masks it ("********" and the last four digits).
func (e *DeniedError) Message() string {
	principal := e.Principal
	if principal == "" {
		principal = "anonymous"
	}
	msg := "User: " + principal + " is not authorized to perform: " + e.Action + " on resource: " + MaskAccount(e.Resource)
	if e.Explicit {
		msg += " with an explicit deny"
	}
	return msg
}

// MaskAccount replaces all but the last four digits of an ARN's account
// field with '*', as API Gateway does in its denial messages.
func MaskAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || len(parts[4]) <= 4 {
		return arn
	}
	parts[4] = strings.Repeat("*", len(parts[4])-4) + parts[4][len(parts[4])-4:]
	return strings.Join(parts, ":")
}

// WriteDenied answers a denial as API Gateway does: 403, header
// X-Amzn-ErrorType: AccessDeniedException, body {"Message": …} (with a
// capital M, unlike its other errors). Any other error is answered 500.
func WriteDenied(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	var de *DeniedError
	if !errors.As(err, &de) {
		w.Header().Set("X-Amzn-ErrorType", "InternalServerErrorException")
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": "Internal server error"})
		return
	}
	w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]string{"Message": de.Message()})
}
