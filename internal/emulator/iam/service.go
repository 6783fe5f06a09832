package iam

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
	"github.com/cognitokit/cognitokit/sigv4client/iampolicy"
)

// Config is what the host's owner gives the service.
type Config struct {
	// AccountID is the account in role ARNs; default "123456789012".
	AccountID string
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Rand is the source of role IDs; default crypto/rand.
	Rand io.Reader
	// Roles is the owner of the roles (the identity pools). Required.
	Roles RoleStore
}

// Service is the IAM role API. It is safe for concurrent use.
type Service struct {
	cfg Config
	// mu serialises IAM's read-modify-write of the roles it changes.
	mu sync.Mutex
	// checkSig checks a request's signature (the host's, set by Register).
	checkSig func(r *http.Request) error
}

// New returns the IAM service over cfg.Roles.
func New(cfg Config) *Service {
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Service{cfg: cfg}
}

// action is one IAM action: it reads its parameters from the form and
// returns the Result element's content, or nil for actions without one.
type action func(s *Service, form url.Values) (any, error)

var actions = map[string]action{
	"CreateRole":                  (*Service).createRole,
	"GetRole":                     (*Service).getRole,
	"ListRoles":                   (*Service).listRoles,
	"UpdateRole":                  (*Service).updateRole,
	"UpdateRoleDescription":       (*Service).updateRoleDescription,
	"UpdateAssumeRolePolicy":      (*Service).updateAssumeRolePolicy,
	"DeleteRole":                  (*Service).deleteRole,
	"PutRolePolicy":               (*Service).putRolePolicy,
	"GetRolePolicy":               (*Service).getRolePolicy,
	"DeleteRolePolicy":            (*Service).deleteRolePolicy,
	"ListRolePolicies":            (*Service).listRolePolicies,
	"AttachRolePolicy":            (*Service).attachRolePolicy,
	"DetachRolePolicy":            (*Service).detachRolePolicy,
	"ListAttachedRolePolicies":    (*Service).listAttachedRolePolicies,
	"ListInstanceProfilesForRole": (*Service).listInstanceProfilesForRole,
	"TagRole":                     (*Service).tagRole,
	"UntagRole":                   (*Service).untagRole,
	"ListRoleTags":                (*Service).listRoleTags,
}

// Actions returns the names of the implemented actions, sorted.
func Actions() []string {
	out := make([]string, 0, len(actions))
	for a := range actions {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Register serves the IAM actions on host (Query protocol, POST /). Every
// action needs a SigV4 signature scoped to iam, unless the host allows
// unsigned calls. IAM keeps no state of its own: the roles are the
// RoleStore's.
func (s *Service) Register(host *emulator.Host) {
	s.checkSig = func(r *http.Request) error { return host.CheckSigV4(r, "iam") }
	for _, a := range Actions() {
		host.HandleQueryAction(a, s)
	}
}

// ServeHTTP answers one IAM Query-protocol request: XML results, and
// errors in AWS's XML shape with the request ID of the x-amzn-RequestId
// header.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	form, err := awsproto.ParseQueryForm(r)
	if err != nil {
		awsproto.WriteQueryErr(w, awsproto.NamespaceIAM, err)
		return
	}
	if s.checkSig != nil {
		if err := s.checkSig(r); err != nil {
			awsproto.WriteQueryErr(w, awsproto.NamespaceIAM, signatureError(err))
			return
		}
	}
	name := form.Get("Action")
	act, ok := actions[name]
	if !ok {
		awsproto.WriteQueryErr(w, awsproto.NamespaceIAM, &awsproto.QueryError{Code: "InvalidAction",
			Message: fmt.Sprintf("Could not find operation %s for version 2010-05-08", name)})
		return
	}
	if v := form.Get("Version"); v != "" && v != "2010-05-08" {
		awsproto.WriteQueryErr(w, awsproto.NamespaceIAM, &awsproto.QueryError{Code: "InvalidAction",
			Message: fmt.Sprintf("Could not find operation %s for version %s", name, v)})
		return
	}
	out, err := act(s, form)
	if err != nil {
		awsproto.WriteQueryErr(w, awsproto.NamespaceIAM, err)
		return
	}
	awsproto.WriteQueryResult(w, awsproto.NamespaceIAM, name, out)
}

// signatureError is the host's answer to a missing or malformed
// signature, in IAM's codes (without the "Exception" suffix), HTTP 403.
func signatureError(err error) error {
	code := strings.TrimSuffix(awsproto.ErrorCode(err), "Exception")
	status := http.StatusForbidden
	if code == "IncompleteSignature" {
		status = http.StatusBadRequest
	}
	return &awsproto.QueryError{Status: status, Code: code, Message: awsproto.ErrorMessage(err)}
}

// Errors, as IAM answers them.

func validationError(format string, args ...any) error {
	return &awsproto.QueryError{Code: "ValidationError", Message: fmt.Sprintf(format, args...)}
}

func noSuchRole(name string) error {
	return &awsproto.QueryError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: fmt.Sprintf("The role with name %s cannot be found.", name)}
}

func malformed(err error) error {
	msg := err.Error()
	if errors.Is(err, iampolicy.ErrInvalidPolicy) {
		msg = strings.TrimPrefix(msg, iampolicy.ErrInvalidPolicy.Error()+": ")
	}
	return &awsproto.QueryError{Code: "MalformedPolicyDocument", Message: "The policy document cannot be used by the emulator: " + msg}
}

var (
	namePattern       = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	policyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	pathPattern       = regexp.MustCompile(`^/([\x21-\x7E]{0,510}/)?$`)
	managedARN        = regexp.MustCompile(`^arn:aws[\w-]*:iam::(aws|\d{12}):policy/[\x21-\x7E]{1,1000}$`)
)

// Limits of IAM's model and quotas.
const (
	maxTrustPolicy    = 2048  // characters of an AssumeRolePolicyDocument
	maxInlinePolicies = 10240 // characters of all of a role's inline policies
	maxDescription    = 1000
	maxTags           = 50
)

func requireName(form url.Values) (string, error) {
	name := form.Get("RoleName")
	if !namePattern.MatchString(name) {
		return "", validationError("1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 64", name)
	}
	return name, nil
}

// find returns a role and its record by name (case-insensitive, as IAM's
// role names are unique regardless of case).
func (s *Service) find(name string) (Role, *record, error) {
	for _, r := range s.cfg.Roles.Roles() {
		// A role's name is the last segment of its ARN: only that role's
		// record is decoded.
		if !strings.EqualFold(r.ARN[strings.LastIndex(r.ARN, "/")+1:], name) {
			continue
		}
		rec, ok := fromStore(r)
		if ok && strings.EqualFold(rec.Name, name) {
			return r, rec, nil
		}
	}
	return Role{}, nil, noSuchRole(name)
}

// named returns the role the form's RoleName names.
func (s *Service) named(form url.Values) (Role, *record, error) {
	name, err := requireName(form)
	if err != nil {
		return Role{}, nil, err
	}
	return s.find(name)
}

// update runs change on the named role's record under s.mu and stores the
// result.
func (s *Service) update(form url.Values, change func(rec *record) error) (*record, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, rec, err := s.named(form)
	if err != nil {
		return nil, "", err
	}
	if err := change(rec); err != nil {
		return nil, "", err
	}
	stored, err := toStore(r.ARN, rec)
	if err != nil {
		return nil, "", err
	}
	s.cfg.Roles.PutRole(stored)
	return rec, r.ARN, nil
}

// checkTrustPolicy refuses a trust policy IAM would: not JSON, too long,
// or a statement without Effect, Principal or Action.
func checkTrustPolicy(doc string) error {
	if doc == "" {
		return validationError("1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null")
	}
	if len(doc) > maxTrustPolicy {
		return &awsproto.QueryError{Status: http.StatusConflict, Code: "LimitExceeded", Message: fmt.Sprintf("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicy)}
	}
	raws, err := statements(doc)
	if err != nil {
		return err
	}
	if len(raws) == 0 {
		return &awsproto.QueryError{Code: "MalformedPolicyDocument", Message: "Syntax errors in policy."}
	}
	for _, raw := range raws {
		var st struct {
			Effect    string
			Principal any
			Action    any
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			return malformed(err)
		}
		switch {
		case st.Effect != "Allow" && st.Effect != "Deny":
			return &awsproto.QueryError{Code: "MalformedPolicyDocument", Message: "Invalid effect: " + st.Effect}
		case st.Principal == nil:
			return &awsproto.QueryError{Code: "MalformedPolicyDocument", Message: "AssumeRolepolicy contained an invalid principal: missing Principal."}
		case st.Action == nil:
			return &awsproto.QueryError{Code: "MalformedPolicyDocument", Message: "Policy statement must contain actions."}
		}
	}
	return nil
}

// readTags reads Tags.member.N and checks IAM's limits.
func readTags(form url.Values) ([]Tag, error) {
	var out []Tag
	for _, p := range awsproto.QueryPairs(form, "Tags") {
		if p.Key == "" || len(p.Key) > 128 || len(p.Value) > 256 || strings.HasPrefix(strings.ToLower(p.Key), "aws:") {
			return nil, &awsproto.QueryError{Code: "InvalidInput", Message: fmt.Sprintf("The tag %q is not valid: a key of 1 to 128 characters not starting with aws:, a value of at most 256.", p.Key)}
		}
		out = append(out, Tag{Key: p.Key, Value: p.Value})
	}
	return out, nil
}

// mergeTags adds or replaces tags, refusing more than IAM's 50.
func mergeTags(have, add []Tag) ([]Tag, error) {
	for _, t := range add {
		replaced := false
		for i := range have {
			if have[i].Key == t.Key {
				have[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			have = append(have, t)
		}
	}
	if len(have) > maxTags {
		return nil, &awsproto.QueryError{Status: http.StatusConflict, Code: "LimitExceeded", Message: fmt.Sprintf("The number of tags has reached the maximum limit of %d.", maxTags)}
	}
	return have, nil
}

func readMaxSession(form url.Values, def int) (int, error) {
	v := form.Get("MaxSessionDuration")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 3600 || n > 43200 {
		return 0, validationError("1 validation error detected: Value '%s' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200", v)
	}
	return n, nil
}

func (s *Service) createRole(form url.Values) (any, error) {
	name, err := requireName(form)
	if err != nil {
		return nil, err
	}
	path := form.Get("Path")
	if path == "" {
		path = "/"
	}
	if !pathPattern.MatchString(path) {
		return nil, validationError("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	trust := form.Get("AssumeRolePolicyDocument")
	if err := checkTrustPolicy(trust); err != nil {
		return nil, err
	}
	desc := form.Get("Description")
	if len(desc) > maxDescription {
		return nil, validationError("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", maxDescription)
	}
	maxSession, err := readMaxSession(form, 3600)
	if err != nil {
		return nil, err
	}
	boundary := form.Get("PermissionsBoundary")
	if boundary != "" && !managedARN.MatchString(boundary) {
		return nil, validationError("ARN %s is not valid.", boundary)
	}
	tags, err := readTags(form)
	if err != nil {
		return nil, err
	}
	if tags, err = mergeTags(nil, tags); err != nil {
		return nil, err
	}
	id, err := newID(s.cfg.Rand)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, err := s.find(name); err == nil {
		return nil, &awsproto.QueryError{Status: http.StatusConflict, Code: "EntityAlreadyExists", Message: fmt.Sprintf("Role with name %s already exists.", name)}
	}
	rec := &record{Path: path, Name: name, ID: id, Created: s.cfg.Now().UTC().Truncate(time.Second),
		AssumeRolePolicy: trust, Description: desc, MaxSessionDuration: maxSession,
		PermissionsBoundary: boundary, Tags: tags, Inline: map[string]string{}}
	arn := s.arn(rec)
	stored, err := toStore(arn, rec)
	if err != nil {
		return nil, err
	}
	s.cfg.Roles.PutRole(stored)
	return roleResult{Role: roleXMLOf(arn, rec, true)}, nil
}

func (s *Service) arn(rec *record) string {
	return "arn:aws:iam::" + s.cfg.AccountID + ":role" + rec.Path + rec.Name
}

func (s *Service) getRole(form url.Values) (any, error) {
	r, rec, err := s.named(form)
	if err != nil {
		return nil, err
	}
	return roleResult{Role: roleXMLOf(r.ARN, rec, true)}, nil
}

func (s *Service) listRoles(form url.Values) (any, error) {
	prefix := form.Get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	var all []roleXML
	for _, r := range s.cfg.Roles.Roles() {
		if rec, ok := fromStore(r); ok && strings.HasPrefix(rec.Path, prefix) {
			all = append(all, roleXMLOf(r.ARN, rec, false))
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].RoleName < all[j].RoleName })
	keys := make([]string, len(all))
	for i, r := range all {
		keys[i] = r.RoleName
	}
	lo, hi, next, err := page(form, keys)
	if err != nil {
		return nil, err
	}
	return listRolesResult{Roles: list[roleXML]{all[lo:hi]}, pageXML: next}, nil
}

func (s *Service) updateRole(form url.Values) (any, error) {
	_, _, err := s.update(form, func(rec *record) error {
		if _, ok := form["Description"]; ok {
			d := form.Get("Description")
			if len(d) > maxDescription {
				return validationError("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", maxDescription)
			}
			rec.Description = d
		}
		n, err := readMaxSession(form, rec.MaxSessionDuration)
		rec.MaxSessionDuration = n
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (s *Service) updateRoleDescription(form url.Values) (any, error) {
	rec, arn, err := s.update(form, func(rec *record) error {
		d := form.Get("Description")
		if len(d) > maxDescription {
			return validationError("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", maxDescription)
		}
		rec.Description = d
		return nil
	})
	if err != nil {
		return nil, err
	}
	return roleResult{Role: roleXMLOf(arn, rec, true)}, nil
}

func (s *Service) updateAssumeRolePolicy(form url.Values) (any, error) {
	doc := form.Get("PolicyDocument")
	if err := checkTrustPolicy(doc); err != nil {
		return nil, err
	}
	_, _, err := s.update(form, func(rec *record) error {
		rec.AssumeRolePolicy = doc
		return nil
	})
	return nil, err
}

func (s *Service) deleteRole(form url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, rec, err := s.named(form)
	if err != nil {
		return nil, err
	}
	switch {
	case len(rec.Inline) > 0:
		return nil, &awsproto.QueryError{Status: http.StatusConflict, Code: "DeleteConflict", Message: "Cannot delete entity, must delete policies first."}
	case len(rec.Attached) > 0:
		return nil, &awsproto.QueryError{Status: http.StatusConflict, Code: "DeleteConflict", Message: "Cannot delete entity, must detach all policies first."}
	}
	s.cfg.Roles.DeleteRole(r.ARN)
	return nil, nil
}

func requirePolicyName(form url.Values) (string, error) {
	n := form.Get("PolicyName")
	if !policyNamePattern.MatchString(n) {
		return "", validationError("1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length between 1 and 128", n)
	}
	return n, nil
}

func (s *Service) putRolePolicy(form url.Values) (any, error) {
	pname, err := requirePolicyName(form)
	if err != nil {
		return nil, err
	}
	doc := form.Get("PolicyDocument")
	if doc == "" {
		return nil, validationError("1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")
	}
	if _, err := iampolicy.Parse([]byte(doc)); err != nil {
		return nil, malformed(err)
	}
	_, _, err = s.update(form, func(rec *record) error {
		size := len(doc)
		for n, d := range rec.Inline {
			if n != pname {
				size += len(d)
			}
		}
		if size > maxInlinePolicies {
			return &awsproto.QueryError{Status: http.StatusConflict, Code: "LimitExceeded", Message: fmt.Sprintf("Maximum policy size of %d bytes exceeded for role %s", maxInlinePolicies, rec.Name)}
		}
		rec.Inline[pname] = doc
		return nil
	})
	return nil, err
}

func noSuchPolicy(policy string) error {
	return &awsproto.QueryError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: fmt.Sprintf("The role policy with name %s cannot be found.", policy)}
}

func (s *Service) getRolePolicy(form url.Values) (any, error) {
	pname, err := requirePolicyName(form)
	if err != nil {
		return nil, err
	}
	_, rec, err := s.named(form)
	if err != nil {
		return nil, err
	}
	doc, ok := rec.Inline[pname]
	if !ok {
		return nil, noSuchPolicy(pname)
	}
	return getRolePolicyResult{RoleName: rec.Name, PolicyName: pname, PolicyDocument: encodeDocument(doc)}, nil
}

func (s *Service) deleteRolePolicy(form url.Values) (any, error) {
	pname, err := requirePolicyName(form)
	if err != nil {
		return nil, err
	}
	_, _, err = s.update(form, func(rec *record) error {
		if _, ok := rec.Inline[pname]; !ok {
			return noSuchPolicy(pname)
		}
		delete(rec.Inline, pname)
		return nil
	})
	return nil, err
}

func (s *Service) listRolePolicies(form url.Values) (any, error) {
	_, rec, err := s.named(form)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(rec.Inline))
	for n := range rec.Inline {
		names = append(names, n)
	}
	sort.Strings(names)
	lo, hi, next, err := page(form, names)
	if err != nil {
		return nil, err
	}
	return listRolePoliciesResult{PolicyNames: list[string]{names[lo:hi]}, pageXML: next}, nil
}

func requirePolicyARN(form url.Values) (string, error) {
	a := form.Get("PolicyArn")
	if !managedARN.MatchString(a) {
		return "", validationError("ARN %s is not valid.", a)
	}
	return a, nil
}

func (s *Service) attachRolePolicy(form url.Values) (any, error) {
	a, err := requirePolicyARN(form)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(a, ":iam::aws:policy/") {
		// There is no CreatePolicy: no customer-managed policy exists.
		return nil, &awsproto.QueryError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: fmt.Sprintf("Policy %s does not exist or is not attachable.", a)}
	}
	_, _, err = s.update(form, func(rec *record) error {
		for _, have := range rec.Attached {
			if have == a {
				return nil
			}
		}
		rec.Attached = append(rec.Attached, a)
		return nil
	})
	return nil, err
}

func (s *Service) detachRolePolicy(form url.Values) (any, error) {
	a, err := requirePolicyARN(form)
	if err != nil {
		return nil, err
	}
	_, _, err = s.update(form, func(rec *record) error {
		for i, have := range rec.Attached {
			if have == a {
				rec.Attached = append(rec.Attached[:i], rec.Attached[i+1:]...)
				return nil
			}
		}
		return &awsproto.QueryError{Status: http.StatusNotFound, Code: "NoSuchEntity", Message: fmt.Sprintf("Policy %s was not found.", a)}
	})
	return nil, err
}

func (s *Service) listAttachedRolePolicies(form url.Values) (any, error) {
	_, rec, err := s.named(form)
	if err != nil {
		return nil, err
	}
	prefix := form.Get("PathPrefix")
	var arns []string
	for _, a := range rec.Attached {
		_, res, _ := strings.Cut(a, ":policy")
		if prefix == "" || strings.HasPrefix(res, prefix) {
			arns = append(arns, a)
		}
	}
	lo, hi, next, err := page(form, arns)
	if err != nil {
		return nil, err
	}
	out := listAttachedResult{pageXML: next}
	for _, a := range arns[lo:hi] {
		out.AttachedPolicies.Member = append(out.AttachedPolicies.Member, attachedXML{PolicyName: a[strings.LastIndex(a, "/")+1:], PolicyArn: a})
	}
	return out, nil
}

func (s *Service) listInstanceProfilesForRole(form url.Values) (any, error) {
	if _, _, err := s.named(form); err != nil {
		return nil, err
	}
	return listInstanceProfilesResult{}, nil
}

func (s *Service) tagRole(form url.Values) (any, error) {
	tags, err := readTags(form)
	if err != nil {
		return nil, err
	}
	_, _, err = s.update(form, func(rec *record) error {
		rec.Tags, err = mergeTags(rec.Tags, tags)
		return err
	})
	return nil, err
}

func (s *Service) untagRole(form url.Values) (any, error) {
	keys := awsproto.QueryMembers(form, "TagKeys")
	_, _, err := s.update(form, func(rec *record) error {
		kept := rec.Tags[:0]
		for _, t := range rec.Tags {
			drop := false
			for _, k := range keys {
				drop = drop || k == t.Key
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		rec.Tags = kept
		return nil
	})
	return nil, err
}

func (s *Service) listRoleTags(form url.Values) (any, error) {
	_, rec, err := s.named(form)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(rec.Tags))
	for i, t := range rec.Tags {
		keys[i] = t.Key
	}
	lo, hi, next, err := page(form, keys)
	if err != nil {
		return nil, err
	}
	return listRoleTagsResult{Tags: list[tagXML]{tagsXMLOf(rec.Tags[lo:hi])}, pageXML: next}, nil
}

// page reads Marker and MaxItems (1 to 1000, default 100) and returns the
// slice bounds of the page of keys and its IsTruncated/Marker. A marker is
// the key the next page starts at.
func page(form url.Values, keys []string) (lo, hi int, next pageXML, err error) {
	max := 100
	if v := form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return 0, 0, next, validationError("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
		max = n
	}
	if m := form.Get("Marker"); m != "" {
		lo = -1
		for i, k := range keys {
			if k == m {
				lo = i
				break
			}
		}
		if lo < 0 {
			return 0, 0, next, &awsproto.QueryError{Code: "InvalidInput", Message: "Invalid Marker."}
		}
	}
	hi = min(lo+max, len(keys))
	if hi < len(keys) {
		next = pageXML{IsTruncated: true, Marker: keys[hi]}
	}
	return lo, hi, next, nil
}

// RoleID returns the unique ID ("AROA…") of the role with this ARN, as
// GetRole reports it.
func (s *Service) RoleID(arn string) (string, bool) {
	for _, r := range s.cfg.Roles.Roles() {
		if r.ARN == arn {
			if rec, ok := fromStore(r); ok {
				return rec.ID, true
			}
		}
	}
	return "", false
}
