package lambdafn

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// ARN is a parsed Lambda function ARN,
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
type ARN struct {
	Partition, Region, Account, Name, Qualifier string
}

var arnPattern = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$`)

// ParseARN parses a Lambda function ARN; anything else is ErrInvalidSpec.
func ParseARN(s string) (ARN, error) {
	m := arnPattern.FindStringSubmatch(s)
	if m == nil {
		return ARN{}, fmt.Errorf("%w: %q is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)", ErrInvalidSpec, s)
	}
	return ARN{Partition: m[1], Region: m[2], Account: m[3], Name: m[4], Qualifier: m[5]}, nil
}

// Spec is one `-function ARN=PATH|URL` mapping: exactly one of Path (a
// compiled Lambda program) and URL (a Lambda Invoke API endpoint) is set.
type Spec struct {
	ARN  string
	Path string
	URL  string
}

// ParseSpec parses "ARN=PATH" or "ARN=URL" (http or https). A PATH must
// name an executable file; it is checked now so a typo fails at start-up.
func ParseSpec(s string) (Spec, error) {
	arn, target, ok := strings.Cut(s, "=")
	if !ok || target == "" {
		return Spec{}, fmt.Errorf("%w: %q: want ARN=PATH or ARN=URL", ErrInvalidSpec, s)
	}
	if _, err := ParseARN(arn); err != nil {
		return Spec{}, err
	}
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		u, err := url.Parse(target)
		if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return Spec{}, fmt.Errorf("%w: %q is not a usable endpoint URL (scheme://host[:port][/path])", ErrInvalidSpec, target)
		}
		return Spec{ARN: arn, URL: strings.TrimRight(target, "/")}, nil
	}
	if strings.Contains(target, "://") {
		return Spec{}, fmt.Errorf("%w: %q: only http and https endpoints are supported", ErrInvalidSpec, target)
	}
	if err := checkExecutable(target); err != nil {
		return Spec{}, err
	}
	return Spec{ARN: arn, Path: target}, nil
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%w: program %q: %v", ErrInvalidSpec, path, err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%w: program %q is not an executable file", ErrInvalidSpec, path)
	}
	return nil
}

// Add registers the function a Spec describes.
func (r *Registry) Add(s Spec) error {
	switch {
	case s.Path != "" && s.URL == "":
		return r.RegisterProgram(s.ARN, s.Path)
	case s.URL != "" && s.Path == "":
		return r.RegisterEndpoint(s.ARN, s.URL)
	default:
		return fmt.Errorf("%w: spec for %s needs exactly one of Path and URL", ErrInvalidSpec, s.ARN)
	}
}

// SpecFlag collects repeated `-function ARN=PATH|URL` flags; it is a
// flag.Value:
//
//	var fns lambdafn.SpecFlag
//	flag.Var(&fns, "function", "ARN=PATH|URL: run a Lambda trigger (repeatable)")
type SpecFlag []Spec

// String lists the mappings as given.
func (f *SpecFlag) String() string {
	if f == nil {
		return ""
	}
	parts := make([]string, 0, len(*f))
	for _, s := range *f {
		parts = append(parts, s.ARN+"="+s.Path+s.URL)
	}
	return strings.Join(parts, ",")
}

// Set parses one mapping (ParseSpec); an ARN given twice is an error.
func (f *SpecFlag) Set(v string) error {
	s, err := ParseSpec(v)
	if err != nil {
		return err
	}
	for _, have := range *f {
		if have.ARN == s.ARN {
			return fmt.Errorf("%w: %s is mapped twice", ErrInvalidSpec, s.ARN)
		}
	}
	*f = append(*f, s)
	return nil
}
