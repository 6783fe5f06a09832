// Package awsmodel checks AWS JSON-protocol inputs against the constraints
// of the published service models, as the real services do before an
// operation runs, and answers with their wording:
//
//	1 validation error detected: Value 'bad name!*' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+
//
// The models are botocore's service-2.json for cognito-idp and
// cognito-identity (Apache-2.0, see data/LICENSE.txt and data/NOTICE),
// embedded gzipped and parsed on first use. For most uses, call ForTarget
// with the X-Amz-Target prefix of a request and Validate its body:
//
//	if svc := awsmodel.ForTarget(prefix); svc != nil {
//		if err := svc.Validate(op, body); err != nil { ... } // a *ValidationError
//	}
//
// Validation checks required members, string and blob length, pattern,
// numeric range, enum, and list and map length, recursively through
// structures, lists and maps. Values of members whose shape is marked
// sensitive (passwords, tokens, secrets), or that contain one, are never
// echoed: such violations read "Value at 'password' failed to …", as AWS's
// do. Members of the wrong JSON type are left to the operation's decoder,
// which answers SerializationException.
package awsmodel

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed data/*.json.gz
var modelFS embed.FS

// Shape types of the models.
const (
	TypeStructure = "structure"
	TypeList      = "list"
	TypeMap       = "map"
	TypeString    = "string"
	TypeInteger   = "integer"
	TypeLong      = "long"
	TypeBoolean   = "boolean"
	TypeBlob      = "blob"
	TypeTimestamp = "timestamp"
)

// Shape is one shape of a service model with the constraints it declares.
// Shapes are shared and read-only once loaded.
type Shape struct {
	// Name is the model's name for the shape, e.g. "UsernameType".
	Name string
	// Type is one of the Type… constants.
	Type string
	// Members are a structure's members, sorted by wire name (the order in
	// which violations are reported).
	Members []Member
	// Elem is a list's element shape.
	Elem *Shape
	// Key and Value are a map's key and value shapes.
	Key, Value *Shape
	// Min and Max bound a string's or blob's length, a list's or map's
	// size, or a number's value, when HasMin and HasMax say so.
	Min, Max       int64
	HasMin, HasMax bool
	// Pattern is the model's regular expression (Java syntax), which the
	// whole value must match; empty when there is none.
	Pattern string
	// Enum lists the values a string may take; empty when unconstrained.
	Enum []string
	// Sensitive marks values AWS never echoes (passwords, tokens, secrets).
	Sensitive bool

	// hidden is true when the shape is sensitive or contains a sensitive
	// shape, so that its values are never printed.
	hidden  bool
	enumSet map[string]struct{}
	reOnce  sync.Once
	re      *regexp.Regexp
	reErr   error
}

// Member is one member of a structure.
type Member struct {
	// Name is the member's wire name, e.g. "ClientName".
	Name string
	// Path is its name in violation messages: lowerCamelCase ("clientName").
	Path     string
	Shape    *Shape
	Required bool
}

// Regexp returns the shape's pattern translated to RE2 and anchored at
// both ends, compiled once. It returns nil, nil when there is no pattern.
func (s *Shape) Regexp() (*regexp.Regexp, error) {
	if s.Pattern == "" {
		return nil, nil
	}
	s.reOnce.Do(func() {
		var expr string
		expr, s.reErr = TranslatePattern(s.Pattern)
		if s.reErr == nil {
			s.re, s.reErr = regexp.Compile(expr)
		}
	})
	return s.re, s.reErr
}

// Hidden reports whether values of the shape are never printed: it is
// sensitive or contains a sensitive shape.
func (s *Shape) Hidden() bool { return s.hidden }

// Service is one loaded service model.
type Service struct {
	// Name is the model's endpoint prefix, e.g. "cognito-idp".
	Name string
	// TargetPrefix is the X-Amz-Target prefix of its operations, e.g.
	// "AWSCognitoIdentityProviderService".
	TargetPrefix string
	// ErrorCode is the error code of a validation failure (see
	// validationErrorCode).
	ErrorCode string
	// Inputs maps each operation name to its input shape (nil when the
	// operation takes none).
	Inputs map[string]*Shape
}

// Operations returns the names of the model's operations, sorted.
func (s *Service) Operations() []string {
	out := make([]string, 0, len(s.Inputs))
	for k := range s.Inputs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// validationErrorCode is the code each service answers for an input that
// breaks the model's constraints. cognito-idp answers
// InvalidParameterException (declared by every one of its operations);
// cognito-identity answers AWS's generic ValidationException, which its
// model does not declare (checked against AWS by moto, getmoto/moto#4415:
// "An error occurred (ValidationException) when calling the
// CreateIdentityPool operation: 1 validation error detected: …").
var validationErrorCode = map[string]string{
	"cognito-idp":      "InvalidParameterException",
	"cognito-identity": "ValidationException",
}

// patternExceptions replace the pattern of a few shapes, by endpoint
// prefix and shape name, where the published model is narrower than the
// service it describes. Every other constraint of the shape stays.
//
// cognito-idp's DomainType (the Domain of CreateUserPoolDomain,
// DescribeUserPoolDomain, UpdateUserPoolDomain and DeleteUserPoolDomain,
// the only inputs that use it) allows one DNS label, a prefix domain;
// Cognito also takes a custom domain there ("auth.example.com", with
// CustomDomainConfig), so the exception allows labels of the same form
// joined by dots. Its length bounds (1 to 63) are kept.
var patternExceptions = map[string]map[string]string{
	"cognito-idp": {
		"DomainType": `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?)*$`,
	},
}

// models are the embedded model files, by X-Amz-Target prefix.
var models = map[string]*lazyService{
	"AWSCognitoIdentityProviderService": {file: "data/cognito-idp-2016-04-18.json.gz"},
	"AWSCognitoIdentityService":         {file: "data/cognito-identity-2014-06-30.json.gz"},
}

type lazyService struct {
	file string
	once sync.Once
	svc  *Service
	err  error
}

// ForTarget returns the model of the service whose X-Amz-Target prefix is
// prefix (without the dot), or nil when no model is embedded for it. The
// model is parsed on the first call. It panics if an embedded model is
// corrupt, which the package's tests rule out.
func ForTarget(prefix string) *Service {
	l, ok := models[prefix]
	if !ok {
		return nil
	}
	l.once.Do(func() { l.svc, l.err = loadFile(l.file) })
	if l.err != nil {
		panic("awsmodel: " + l.err.Error())
	}
	return l.svc
}

// Targets returns the X-Amz-Target prefixes with an embedded model, sorted.
func Targets() []string {
	out := make([]string, 0, len(models))
	for k := range models {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func loadFile(name string) (*Service, error) {
	f, err := modelFS.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return Load(raw)
}

type rawRef struct {
	Shape string `json:"shape"`
}

type rawShape struct {
	Type      string            `json:"type"`
	Members   map[string]rawRef `json:"members"`
	Required  []string          `json:"required"`
	Member    *rawRef           `json:"member"`
	Key       *rawRef           `json:"key"`
	Value     *rawRef           `json:"value"`
	Min       *json.Number      `json:"min"`
	Max       *json.Number      `json:"max"`
	Pattern   string            `json:"pattern"`
	Enum      []string          `json:"enum"`
	Sensitive bool              `json:"sensitive"`
}

type rawModel struct {
	Metadata struct {
		EndpointPrefix string `json:"endpointPrefix"`
		TargetPrefix   string `json:"targetPrefix"`
		Protocol       string `json:"protocol"`
	} `json:"metadata"`
	Operations map[string]struct {
		Input *rawRef `json:"input"`
	} `json:"operations"`
	Shapes map[string]rawShape `json:"shapes"`
}

// Load parses a botocore service-2.json model of a JSON-protocol service.
func Load(raw []byte) (*Service, error) {
	var m rawModel
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("awsmodel: parse model: %w", err)
	}
	if m.Metadata.Protocol != "json" || m.Metadata.TargetPrefix == "" {
		return nil, fmt.Errorf("awsmodel: model %q is not a JSON-protocol service", m.Metadata.EndpointPrefix)
	}
	shapes := make(map[string]*Shape, len(m.Shapes))
	for name, rs := range m.Shapes {
		if p, ok := patternExceptions[m.Metadata.EndpointPrefix][name]; ok && rs.Pattern != "" {
			rs.Pattern = p
		}
		s := &Shape{Name: name, Type: rs.Type, Pattern: rs.Pattern, Enum: rs.Enum, Sensitive: rs.Sensitive}
		var err error
		if s.Min, s.HasMin, err = bound(rs.Min); err != nil {
			return nil, fmt.Errorf("awsmodel: shape %s min: %w", name, err)
		}
		if s.Max, s.HasMax, err = bound(rs.Max); err != nil {
			return nil, fmt.Errorf("awsmodel: shape %s max: %w", name, err)
		}
		if len(s.Enum) > 0 {
			s.enumSet = make(map[string]struct{}, len(s.Enum))
			for _, e := range s.Enum {
				s.enumSet[e] = struct{}{}
			}
		}
		shapes[name] = s
	}
	ref := func(owner string, r *rawRef) (*Shape, error) {
		if r == nil {
			return nil, fmt.Errorf("awsmodel: shape %s lacks a member shape", owner)
		}
		s, ok := shapes[r.Shape]
		if !ok {
			return nil, fmt.Errorf("awsmodel: shape %s names unknown shape %s", owner, r.Shape)
		}
		return s, nil
	}
	for name, rs := range m.Shapes {
		s := shapes[name]
		var err error
		switch rs.Type {
		case TypeStructure:
			req := make(map[string]bool, len(rs.Required))
			for _, r := range rs.Required {
				req[r] = true
			}
			for mname, mr := range rs.Members {
				ms, err := ref(name, &mr)
				if err != nil {
					return nil, err
				}
				s.Members = append(s.Members, Member{Name: mname, Path: lowerCamel(mname), Shape: ms, Required: req[mname]})
				delete(req, mname)
			}
			if len(req) > 0 {
				return nil, fmt.Errorf("awsmodel: shape %s requires members it does not have", name)
			}
			sort.Slice(s.Members, func(i, j int) bool { return s.Members[i].Path < s.Members[j].Path })
		case TypeList:
			s.Elem, err = ref(name, rs.Member)
		case TypeMap:
			if s.Key, err = ref(name, rs.Key); err == nil {
				s.Value, err = ref(name, rs.Value)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	for _, s := range shapes {
		markHidden(s, map[*Shape]bool{})
	}
	svc := &Service{
		Name:         m.Metadata.EndpointPrefix,
		TargetPrefix: m.Metadata.TargetPrefix,
		ErrorCode:    validationErrorCode[m.Metadata.EndpointPrefix],
		Inputs:       make(map[string]*Shape, len(m.Operations)),
	}
	if svc.ErrorCode == "" {
		svc.ErrorCode = "ValidationException"
	}
	for op, o := range m.Operations {
		var in *Shape
		if o.Input != nil {
			var err error
			if in, err = ref(op, o.Input); err != nil {
				return nil, err
			}
		}
		svc.Inputs[op] = in
	}
	return svc, nil
}

func bound(n *json.Number) (int64, bool, error) {
	if n == nil {
		return 0, false, nil
	}
	v, err := n.Int64()
	if err != nil {
		return 0, false, err
	}
	return v, true, nil
}

// markHidden computes Shape.hidden: sensitive, or containing a sensitive
// shape. seen guards against recursive shapes.
func markHidden(s *Shape, seen map[*Shape]bool) bool {
	if s.hidden || s.Sensitive {
		s.hidden = true
		return true
	}
	if seen[s] {
		return false
	}
	seen[s] = true
	var h bool
	switch s.Type {
	case TypeStructure:
		for _, m := range s.Members {
			h = markHidden(m.Shape, seen) || h
		}
	case TypeList:
		h = markHidden(s.Elem, seen)
	case TypeMap:
		h = markHidden(s.Key, seen)
		h = markHidden(s.Value, seen) || h
	}
	s.hidden = h
	return h
}

// lowerCamel lowers the first letter of a member name, as AWS's messages
// do: "ClientName" → "clientName", "AuthParameters" → "authParameters".
func lowerCamel(name string) string {
	r, n := utf8.DecodeRuneInString(name)
	if r == utf8.RuneError {
		return name
	}
	return string(unicode.ToLower(r)) + name[n:]
}

// TranslatePattern returns the RE2 form of a model pattern (Java regular
// expression syntax), anchored at both ends because AWS matches the whole
// value. Java and RE2 agree on the models' syntax except:
//
//   - \s is Java's [ \t\n\x0B\f\r]; RE2's lacks \x0B (vertical tab), so it
//     is spelled out;
//   - a negative look-behind, which RE2 lacks, is rewritten from a table of
//     known patterns (lookbehind);
//   - other look-arounds, atomic groups and possessive quantifiers are
//     refused with an error (no model uses them; a test checks every
//     pattern of every embedded model).
//
// Java's "." also stops at \r and Unicode line separators where RE2 stops
// only at \n; the models use "." only as (?s).*, where the two agree.
func TranslatePattern(java string) (string, error) {
	p := java
	if t, ok := lookbehind[p]; ok {
		p = t
	}
	for _, bad := range []string{"(?=", "(?!", "(?<=", "(?<!", "(?>", "*+", "++", "?+", "}+"} {
		if i := strings.Index(p, bad); i >= 0 && !escapedAt(p, i) {
			return "", fmt.Errorf("awsmodel: pattern %q uses %q, which RE2 does not support", java, bad)
		}
	}
	var b strings.Builder
	b.Grow(len(p) + 32)
	b.WriteString(`^(?:`)
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			next := p[i+1]
			i++
			switch {
			case next == 's' && inClass:
				b.WriteString(`\t\n\x0B\f\r `)
			case next == 's':
				b.WriteString(`[\t\n\x0B\f\r ]`)
			case next == 'S' && !inClass:
				b.WriteString(`[^\t\n\x0B\f\r ]`)
			default:
				b.WriteByte('\\')
				b.WriteByte(next)
			}
			continue
		case c == '[' && !inClass:
			// [\S] alone is Java's non-space class.
			if strings.HasPrefix(p[i:], `[\S]`) {
				b.WriteString(`[^\t\n\x0B\f\r ]`)
				i += len(`[\S]`) - 1
				continue
			}
			inClass = true
			b.WriteByte(c)
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
			continue
		case c == ']' && inClass:
			inClass = false
		}
		b.WriteByte(c)
	}
	b.WriteString(`)$`)
	return b.String(), nil
}

// lookbehind rewrites the model patterns that use a look-behind into
// equivalent RE2 patterns.
var lookbehind = map[string]string{
	// S3BucketType: letters, digits, ".", "-", "_", not ending in ".".
	`^[0-9A-Za-z\.\-_]*(?<!\.)$`: `^(?:[0-9A-Za-z\.\-_]*[0-9A-Za-z\-_])?$`,
}

// escapedAt reports whether the byte at i is preceded by an odd number of
// backslashes.
func escapedAt(p string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && p[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}
